import { Injectable } from '@nestjs/common';
import { DEVICE_USER_DATA_CHANGED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class DeviceUserDataChangedProjector implements MessageHandler<typeof DEVICE_USER_DATA_CHANGED> {
  readonly type = DEVICE_USER_DATA_CHANGED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof DEVICE_USER_DATA_CHANGED>): Promise<void> {
    const { application, aggregateId: deviceId, payload, time } = event;
    return this.projection.apply('device', event, async (em) => {
      await this.projection.devices.update(em, application, deviceId, (device) => {
        device.user_data = payload.userData;
        device.updated_at = time;
      });
    });
  }
}
