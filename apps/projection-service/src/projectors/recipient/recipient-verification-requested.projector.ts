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
      await em.query(
        `UPDATE ${this.projection.tables.recipients} SET verification = 'pending', status = 'inactive', updated_at = $3 WHERE application = $1 AND recipient_id = $2`,
        [application, recipientId, time],
      );
    });
  }
}
