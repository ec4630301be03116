import { Injectable } from '@nestjs/common';
import { DEVICE_TAGS_CHANGED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class DeviceTagsChangedProjector implements MessageHandler<typeof DEVICE_TAGS_CHANGED> {
  readonly type = DEVICE_TAGS_CHANGED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof DEVICE_TAGS_CHANGED>): Promise<void> {
    const { application, aggregateId: deviceId, payload, time } = event;
    return this.projection.apply('device', event, async (em) => {
      await this.projection.devices.update(em, application, deviceId, (device) => {
        device.tags = payload.tags;
        device.updated_at = time;
      });
    });
  }
}
