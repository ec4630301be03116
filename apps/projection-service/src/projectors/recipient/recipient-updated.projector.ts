import { Injectable } from '@nestjs/common';
import { RECIPIENT_UPDATED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';
import { mergedProperties } from '../../read-model/channel-rows';

@Injectable()
export class RecipientUpdatedProjector implements MessageHandler<typeof RECIPIENT_UPDATED> {
  readonly type = RECIPIENT_UPDATED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_UPDATED>): Promise<void> {
    const { application, aggregateId: recipientId, payload, time } = event;
    return this.projection.apply('recipient', event, async (em) => {
      // Only what changed; a property sent as null was cleared.
      await this.projection.recipients.update(em, application, recipientId, (contact) => {
        contact.properties = mergedProperties(contact.properties, payload.properties);
        contact.updated_at = time;
      });
    });
  }
}
