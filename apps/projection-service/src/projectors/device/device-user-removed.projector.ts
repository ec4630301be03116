import { Injectable } from '@nestjs/common';
import { DEVICE_USER_REMOVED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';
import { upsertDevice } from './device-state';

@Injectable()
export class DeviceUserRemovedProjector implements MessageHandler<typeof DEVICE_USER_REMOVED> {
  readonly type = DEVICE_USER_REMOVED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof DEVICE_USER_REMOVED>): Promise<void> {
    const { application, aggregateId: deviceId, payload, time } = event;
    return this.projection.apply('device', event, async (em) => {
      if (payload.state) {
        // The whole device, anonymous now (its previousUserID may be unreadable: erased).
        await upsertDevice(this.projection, em, { application, deviceId, userId: null, userName: null, time }, payload.state);
        return;
      }
      await this.projection.devices.update(em, application, deviceId, (device) => {
        device.user_id = null;
        device.user_name = null;
        device.updated_at = time;
      });
    });
  }
}
