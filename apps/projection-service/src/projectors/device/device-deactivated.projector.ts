import { Injectable } from '@nestjs/common';
import { DEVICE_DEACTIVATED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class DeviceDeactivatedProjector implements MessageHandler<typeof DEVICE_DEACTIVATED> {
  readonly type = DEVICE_DEACTIVATED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof DEVICE_DEACTIVATED>): Promise<void> {
    const { application, aggregateId: deviceId, time } = event;
    return this.projection.apply('device', event, async (em) => {
      await this.projection.devices.update(em, application, deviceId, (device) => {
        device.status = 'inactive';
        device.updated_at = time;
      });
    });
  }
}
