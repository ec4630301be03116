import { Injectable } from '@nestjs/common';
import { RECIPIENT_VERIFICATION_REQUESTED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class RecipientVerificationRequestedProjector implements MessageHandler<typeof RECIPIENT_VERIFICATION_REQUESTED> {
  readonly type = RECIPIENT_VERIFICATION_REQUESTED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_VERIFICATION_REQUESTED>): Promise<void> {
    const { application, aggregateId: recipientId, time } = event;
    return this.projection.apply('recipient', event, async (em) => {
      // The token is a secret for the messaging capability: the read model only records that one is pending.
      await this.projection.recipients.update(em, application, recipientId, (contact) => {
        contact.verification = 'pending';
        contact.status = 'inactive';
        contact.updated_at = time;
      });
    });
  }
}
