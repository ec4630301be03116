import { Injectable } from '@nestjs/common';
import { DEVICE_UPDATED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';
import { mergedProperties } from '../../read-model/channel-rows';

@Injectable()
export class DeviceUpdatedProjector implements MessageHandler<typeof DEVICE_UPDATED> {
  readonly type = DEVICE_UPDATED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof DEVICE_UPDATED>): Promise<void> {
    const { application, aggregateId: deviceId, payload, time } = event;
    return this.projection.apply('device', event, async (em) => {
      // Only what changed; a property sent as null was cleared.
      await this.projection.devices.update(em, application, deviceId, (device) => {
        device.platform = payload.platform ?? device.platform;
        device.transport = payload.transport ?? device.transport;
        device.properties = mergedProperties(device.properties, payload.properties);
        device.updated_at = time;
      });
    });
  }
}
