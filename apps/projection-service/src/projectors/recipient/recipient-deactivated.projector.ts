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
      await em.query(
        `UPDATE ${this.projection.tables.recipients} SET status = 'inactive', verification = CASE WHEN verification = 'pending' THEN 'none' ELSE verification END, updated_at = $3 WHERE application = $1 AND recipient_id = $2`,
        [application, recipientId, time],
      );
    });
  }
}
