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
      await em.query(
        `UPDATE ${this.projection.tables.devices} SET tags = $3, updated_at = $4 WHERE application = $1 AND device_id = $2`,
        [application, deviceId, payload.tags, time],
      );
    });
  }
}
