import { Injectable } from '@nestjs/common';
import { Message, USER_DEACTIVATED } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

/** Hidden from lists and messaging; a channel registering (or any channel event) makes the user active again. */
@Injectable()
export class UserDeactivatedProjector implements MessageHandler<typeof USER_DEACTIVATED> {
  readonly type = USER_DEACTIVATED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof USER_DEACTIVATED>): Promise<void> {
    return this.projection.apply('user', event, async (em) => {
      await this.projection.ensureUser(em, event.application, event.aggregateId, null, event.time);
      await em.query(
        `UPDATE ${this.projection.tables.users} SET status = 'inactive', updated_at = $3 WHERE application = $1 AND user_id = $2`,
        [event.application, event.aggregateId, event.time],
      );
    });
  }
}
