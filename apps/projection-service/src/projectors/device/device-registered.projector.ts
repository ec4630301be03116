import { Injectable } from '@nestjs/common';
import { DEVICE_REGISTERED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class DeviceRegisteredProjector implements MessageHandler<typeof DEVICE_REGISTERED> {
  readonly type = DEVICE_REGISTERED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof DEVICE_REGISTERED>): Promise<void> {
    const { application, aggregateId: deviceId, payload, time } = event;
    return this.projection.apply('device', event, async (em) => {
      // The whole state of the device: a full reset of its row (also when it comes back after deactivation).
      await em.query(
        `INSERT INTO ${this.projection.tables.devices}
           (application, device_id, user_id, user_name, platform, transport, properties, tags, user_data, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::jsonb, 'active', $10, $10)
         ON CONFLICT (application, device_id) DO UPDATE SET
           user_id = EXCLUDED.user_id, user_name = EXCLUDED.user_name, platform = EXCLUDED.platform,
           transport = EXCLUDED.transport, properties = EXCLUDED.properties, tags = EXCLUDED.tags,
           user_data = EXCLUDED.user_data, status = 'active', updated_at = EXCLUDED.updated_at`,
        [
          application,
          deviceId,
          payload.userID,
          payload.userName,
          payload.platform,
          payload.transport,
          JSON.stringify(payload.properties),
          payload.tags,
          JSON.stringify(payload.userData),
          time,
        ],
      );
      if (payload.userID) await this.projection.ensureUser(em, application, payload.userID, payload.userName, time);
    });
  }
}
