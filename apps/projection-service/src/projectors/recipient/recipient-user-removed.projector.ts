import { Injectable } from '@nestjs/common';
import { RECIPIENT_USER_REMOVED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';
import { upsertRecipient } from './recipient-state';

@Injectable()
export class RecipientUserRemovedProjector implements MessageHandler<typeof RECIPIENT_USER_REMOVED> {
  readonly type = RECIPIENT_USER_REMOVED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_USER_REMOVED>): Promise<void> {
    const { application, aggregateId: recipientId, payload, time } = event;
    return this.projection.apply('recipient', event, async (em) => {
      if (payload.state) {
        // The whole contact, of nobody now (its previousUserID may be unreadable: erased).
        await upsertRecipient(this.projection, em, { application, recipientId, userId: null, userName: null, time }, payload.state);
        return;
      }
      await this.projection.recipients.update(em, application, recipientId, (contact) => {
        contact.user_id = null;
        contact.user_name = null;
        contact.updated_at = time;
      });
    });
  }
}
