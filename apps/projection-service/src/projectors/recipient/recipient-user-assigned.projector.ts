import { Injectable } from '@nestjs/common';
import { RECIPIENT_USER_ASSIGNED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';
import { upsertRecipient } from './recipient-state';

@Injectable()
export class RecipientUserAssignedProjector implements MessageHandler<typeof RECIPIENT_USER_ASSIGNED> {
  readonly type = RECIPIENT_USER_ASSIGNED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_USER_ASSIGNED>): Promise<void> {
    const { application, aggregateId: recipientId, payload, time } = event;
    return this.projection.apply('recipient', event, async (em) => {
      if (payload.state) {
        // The whole contact, as its new user's: what was sealed for the previous one is not needed.
        await upsertRecipient(this.projection, em, { application, recipientId, userId: payload.userID, userName: payload.userName, time }, payload.state);
      } else {
        await this.projection.recipients.update(em, application, recipientId, (contact) => {
          contact.user_id = payload.userID;
          contact.user_name = payload.userName;
          contact.updated_at = time;
        });
      }
      await this.projection.ensureUser(em, { application, userId: payload.userID, userName: payload.userName, time });
    });
  }
}
