import { Injectable } from '@nestjs/common';
import { Message, USER_RENAMED } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class UserRenamedProjector implements MessageHandler<typeof USER_RENAMED> {
  readonly type = USER_RENAMED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof USER_RENAMED>): Promise<void> {
    return this.projection.apply('user', event, async (em) => {
      // The status stays as it is: renaming a deactivated user does not reactivate them (nor does the profile-service).
      await this.projection.ensureUserNow(em, event.application, event.aggregateId, null, event.time, 'kept');
      await em.query(
        `UPDATE ${this.projection.tables.users} SET profile_user_name = $3 WHERE application = $1 AND user_id = $2`,
        [event.application, event.aggregateId, event.payload.userName],
      );
    });
  }
}
