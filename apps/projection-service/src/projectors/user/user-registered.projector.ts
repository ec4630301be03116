import { Injectable } from '@nestjs/common';
import { Message, USER_REGISTERED } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class UserRegisteredProjector implements MessageHandler<typeof USER_REGISTERED> {
  readonly type = USER_REGISTERED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof USER_REGISTERED>): Promise<void> {
    return this.projection.apply('user', event, async (em) => {
      // The profile-service's name; the row may already exist from a channel (then it only gets the name).
      await em.query(
        `INSERT INTO ${this.projection.tables.users} AS u (application, user_id, profile_user_name, status, created_at, updated_at)
         VALUES ($1, $2, $3, 'active', $4, $4)
         ON CONFLICT (application, user_id) DO UPDATE SET profile_user_name = EXCLUDED.profile_user_name, status = 'active',
           created_at = LEAST(u.created_at, EXCLUDED.created_at), updated_at = GREATEST(u.updated_at, EXCLUDED.updated_at)`,
        [event.application, event.aggregateId, event.payload.userName, event.time],
      );
    });
  }
}
