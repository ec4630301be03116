import { Injectable } from '@nestjs/common';
import { RECIPIENT_USER_DATA_CHANGED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class RecipientUserDataChangedProjector implements MessageHandler<typeof RECIPIENT_USER_DATA_CHANGED> {
  readonly type = RECIPIENT_USER_DATA_CHANGED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_USER_DATA_CHANGED>): Promise<void> {
    const { application, aggregateId: recipientId, payload, time } = event;
    return this.projection.apply('recipient', event, async (em) => {
      await this.projection.recipients.update(em, application, recipientId, (contact) => {
        contact.user_data = payload.userData;
        contact.updated_at = time;
      });
    });
  }
}
