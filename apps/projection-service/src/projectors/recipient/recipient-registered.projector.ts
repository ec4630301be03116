import { Injectable } from '@nestjs/common';
import { RECIPIENT_REGISTERED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class RecipientRegisteredProjector implements MessageHandler<typeof RECIPIENT_REGISTERED> {
  readonly type = RECIPIENT_REGISTERED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_REGISTERED>): Promise<void> {
    const { application, aggregateId: recipientId, payload, time } = event;
    return this.projection.apply('recipient', event, async (em) => {
      // The whole state of the contact: a full reset of its row. A new row begins when the contact
      // did (the events before may be unreadable: sealed for an owner since erased).
      await em.query(
        `INSERT INTO ${this.projection.tables.recipients}
           (application, recipient_id, channel, address, user_id, user_name, properties, tags, user_data, status, verification, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::jsonb, $10, $11, $13, $12)
         ON CONFLICT (application, recipient_id) DO UPDATE SET
           channel = EXCLUDED.channel, address = EXCLUDED.address, user_id = EXCLUDED.user_id, user_name = EXCLUDED.user_name,
           properties = EXCLUDED.properties, tags = EXCLUDED.tags, user_data = EXCLUDED.user_data, status = EXCLUDED.status,
           verification = EXCLUDED.verification, updated_at = EXCLUDED.updated_at`,
        [
          application,
          recipientId,
          payload.channel,
          payload.address,
          payload.userID,
          payload.userName,
          JSON.stringify(payload.properties),
          payload.tags,
          JSON.stringify(payload.userData),
          payload.status,
          payload.verification,
          time,
          payload.createdAt ?? time,
        ],
      );
      if (payload.userID) await this.projection.ensureUser(em, application, payload.userID, payload.userName, time);
    });
  }
}
