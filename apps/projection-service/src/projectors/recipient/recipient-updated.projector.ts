import { Injectable } from '@nestjs/common';
import { RECIPIENT_UPDATED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class RecipientUpdatedProjector implements MessageHandler<typeof RECIPIENT_UPDATED> {
  readonly type = RECIPIENT_UPDATED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_UPDATED>): Promise<void> {
    const { application, aggregateId: recipientId, payload, time } = event;
    return this.projection.apply('recipient', event, async (em) => {
      // Only what changed; a property sent as null was cleared.
      await em.query(
        `UPDATE ${this.projection.tables.recipients} SET properties = jsonb_strip_nulls(properties || $3::jsonb), updated_at = $4 WHERE application = $1 AND recipient_id = $2`,
        [application, recipientId, JSON.stringify(payload.properties), time],
      );
    });
  }
}
