import { Injectable } from '@nestjs/common';
import { Message, USER_REGISTERED } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { PROJECTION_TABLES } from '../../read-model/read-model';
import { Projection } from '../projection';

@Injectable()
export class UserRegisteredProjector implements MessageHandler<typeof USER_REGISTERED> {
  readonly type = USER_REGISTERED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof USER_REGISTERED>): Promise<void> {
    return this.projection.apply('user', event, async (em) => {
      await em.query(
        `INSERT INTO ${PROJECTION_TABLES.users} (application, user_id, user_name, status, created_at, updated_at)
         VALUES ($1, $2, $3, 'active', $4, $4)
         ON CONFLICT (application, user_id) DO UPDATE SET user_name = EXCLUDED.user_name, status = 'active', updated_at = EXCLUDED.updated_at`,
        [event.application, event.aggregateId, event.payload.userName, event.time],
      );
    });
  }
}
