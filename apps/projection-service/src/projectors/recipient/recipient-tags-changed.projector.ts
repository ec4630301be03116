import { Injectable } from '@nestjs/common';
import { RECIPIENT_TAGS_CHANGED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class RecipientTagsChangedProjector implements MessageHandler<typeof RECIPIENT_TAGS_CHANGED> {
  readonly type = RECIPIENT_TAGS_CHANGED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_TAGS_CHANGED>): Promise<void> {
    const { application, aggregateId: recipientId, payload, time } = event;
    return this.projection.apply('recipient', event, async (em) => {
      await this.projection.recipients.update(em, application, recipientId, (contact) => {
        contact.tags = payload.tags;
        contact.updated_at = time;
      });
    });
  }
}
