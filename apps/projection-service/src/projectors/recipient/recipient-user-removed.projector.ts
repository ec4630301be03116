import { Injectable } from '@nestjs/common';
import { RECIPIENT_USER_REMOVED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class RecipientUserRemovedProjector implements MessageHandler<typeof RECIPIENT_USER_REMOVED> {
  readonly type = RECIPIENT_USER_REMOVED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_USER_REMOVED>): Promise<void> {
    const { application, aggregateId: recipientId, time } = event;
    return this.projection.apply('recipient', event, async (em) => {
      await em.query(
        `UPDATE ${this.projection.tables.recipients} SET user_id = NULL, user_name = NULL, updated_at = $3 WHERE application = $1 AND recipient_id = $2`,
        [application, recipientId, time],
      );
    });
  }
}
