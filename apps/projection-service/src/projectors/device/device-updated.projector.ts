import { Injectable } from '@nestjs/common';
import { DEVICE_UPDATED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class DeviceUpdatedProjector implements MessageHandler<typeof DEVICE_UPDATED> {
  readonly type = DEVICE_UPDATED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof DEVICE_UPDATED>): Promise<void> {
    const { application, aggregateId: deviceId, payload, time } = event;
    return this.projection.apply('device', event, async (em) => {
      // Only what changed; a property sent as null was cleared.
      await em.query(
        `UPDATE ${this.projection.tables.devices}
            SET platform = COALESCE($3, platform), transport = COALESCE($4, transport),
                properties = jsonb_strip_nulls(properties || $5::jsonb), updated_at = $6
          WHERE application = $1 AND device_id = $2`,
        [application, deviceId, payload.platform ?? null, payload.transport ?? null, JSON.stringify(payload.properties), time],
      );
    });
  }
}
