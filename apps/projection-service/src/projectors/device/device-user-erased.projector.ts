import { Injectable } from '@nestjs/common';
import { DEVICE_USER_ERASED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

/** The device stays, anonymous: no user, no user data, no location. */
@Injectable()
export class DeviceUserErasedProjector implements MessageHandler<typeof DEVICE_USER_ERASED> {
  readonly type = DEVICE_USER_ERASED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof DEVICE_USER_ERASED>): Promise<void> {
    const { application, aggregateId: deviceId, time } = event;
    return this.projection.apply('device', event, async (em) => {
      await em.query(
        `UPDATE ${this.projection.tables.devices}
            SET user_id = NULL, user_name = NULL, user_data = '{}'::jsonb,
                properties = properties - 'location' - 'locationAccuracy' - 'altitude', updated_at = $3
          WHERE application = $1 AND device_id = $2`,
        [application, deviceId, time],
      );
    });
  }
}
