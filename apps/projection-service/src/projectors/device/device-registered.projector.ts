import { Injectable } from '@nestjs/common';
import { DEVICE_REGISTERED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';
import { upsertDevice } from './device-state';

@Injectable()
export class DeviceRegisteredProjector implements MessageHandler<typeof DEVICE_REGISTERED> {
  readonly type = DEVICE_REGISTERED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof DEVICE_REGISTERED>): Promise<void> {
    const { application, aggregateId: deviceId, payload, time } = event;
    return this.projection.apply('device', event, async (em) => {
      // The whole state of the device: a full reset of its row (also when it comes back after deactivation).
      await upsertDevice(this.projection, em, { application, deviceId, userId: payload.userID, userName: payload.userName, time }, { ...payload, status: 'active' });
      if (payload.userID) await this.projection.ensureUser(em, { application, userId: payload.userID, userName: payload.userName, time });
    });
  }
}
