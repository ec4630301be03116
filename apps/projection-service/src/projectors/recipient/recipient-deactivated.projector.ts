import { Injectable } from '@nestjs/common';
import { RECIPIENT_DEACTIVATED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';
import { PROJECTION_TABLES } from '../../read-model/read-model';

@Injectable()
export class RecipientDeactivatedProjector implements MessageHandler<typeof RECIPIENT_DEACTIVATED> {
  readonly type = RECIPIENT_DEACTIVATED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_DEACTIVATED>): Promise<void> {
    const { application, aggregateId: recipientId, time } = event;
    return this.projection.apply('recipient', event, async (em) => {
      await em.query(
        `UPDATE ${PROJECTION_TABLES.recipients} SET status = 'inactive', verification = CASE WHEN verification = 'pending' THEN 'none' ELSE verification END, updated_at = $3 WHERE application = $1 AND recipient_id = $2`,
        [application, recipientId, time],
      );
    });
  }
}
