import { Injectable } from '@nestjs/common';
import { DEVICE_USER_ASSIGNED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';
import { upsertDevice } from './device-state';

@Injectable()
export class DeviceUserAssignedProjector implements MessageHandler<typeof DEVICE_USER_ASSIGNED> {
  readonly type = DEVICE_USER_ASSIGNED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof DEVICE_USER_ASSIGNED>): Promise<void> {
    const { application, aggregateId: deviceId, payload, time } = event;
    return this.projection.apply('device', event, async (em) => {
      if (payload.state) {
        // The whole device, as its new user's: what was sealed for the previous one is not needed.
        await upsertDevice(this.projection, em, { application, deviceId, userId: payload.userID, userName: payload.userName, time }, payload.state);
      } else {
        await this.projection.devices.update(em, application, deviceId, (device) => {
          device.user_id = payload.userID;
          device.user_name = payload.userName;
          device.updated_at = time;
        });
      }
      await this.projection.ensureUser(em, { application, userId: payload.userID, userName: payload.userName, time });
    });
  }
}
