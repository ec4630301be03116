import { Injectable } from '@nestjs/common';
import { RECIPIENT_DEACTIVATED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class RecipientDeactivatedProjector implements MessageHandler<typeof RECIPIENT_DEACTIVATED> {
  readonly type = RECIPIENT_DEACTIVATED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_DEACTIVATED>): Promise<void> {
    const { application, aggregateId: recipientId, time } = event;
    return this.projection.apply('recipient', event, async (em) => {
      await this.projection.recipients.update(em, application, recipientId, (contact) => {
        contact.status = 'inactive';
        if (contact.verification === 'pending') contact.verification = 'none';
        contact.updated_at = time;
      });
    });
  }
}
