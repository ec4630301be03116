import { Injectable } from '@nestjs/common';
import { DEVICE_USER_ERASED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';
import { withoutUser } from './device-state';

/** The device stays, anonymous: no user, no user data, no location. */
@Injectable()
export class DeviceUserErasedProjector implements MessageHandler<typeof DEVICE_USER_ERASED> {
  readonly type = DEVICE_USER_ERASED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof DEVICE_USER_ERASED>): Promise<void> {
    const { application, aggregateId: deviceId, time } = event;
    return this.projection.apply('device', event, async (em) => {
      await this.projection.devices.update(em, application, deviceId, (device) => {
        device.user_id = null;
        device.user_name = null;
        device.user_data = {};
        device.properties = withoutUser(device.properties);
        device.updated_at = time;
      });
    });
  }
}
