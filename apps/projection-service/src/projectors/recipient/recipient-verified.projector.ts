import { Injectable } from '@nestjs/common';
import { RECIPIENT_VERIFIED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class RecipientVerifiedProjector implements MessageHandler<typeof RECIPIENT_VERIFIED> {
  readonly type = RECIPIENT_VERIFIED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_VERIFIED>): Promise<void> {
    const { application, aggregateId: recipientId, time } = event;
    return this.projection.apply('recipient', event, async (em) => {
      await this.projection.recipients.update(em, application, recipientId, (contact) => {
        contact.verification = 'verified';
        contact.status = 'active';
        contact.updated_at = time;
      });
    });
  }
}
