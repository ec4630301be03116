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
      await em.query(
        `UPDATE ${this.projection.tables.devices} SET user_data = $3::jsonb, updated_at = $4
          WHERE application = $1 AND device_id = $2`,
        [application, deviceId, JSON.stringify(payload.userData), time],
      );
    });
  }
}
