import { Injectable } from '@nestjs/common';
import { RECIPIENT_REGISTERED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';
import { upsertRecipient } from './recipient-state';

@Injectable()
export class RecipientRegisteredProjector implements MessageHandler<typeof RECIPIENT_REGISTERED> {
  readonly type = RECIPIENT_REGISTERED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_REGISTERED>): Promise<void> {
    const { application, aggregateId: recipientId, payload, time } = event;
    return this.projection.apply('recipient', event, async (em) => {
      // The whole state of the contact: a full reset of its row. A new row begins when the contact
      // did (the events before may be unreadable: sealed for an owner since erased).
      await upsertRecipient(this.projection, em, { application, recipientId, userId: payload.userID, userName: payload.userName, time }, payload);
      if (payload.userID) await this.projection.ensureUser(em, { application, userId: payload.userID, userName: payload.userName, time });
    });
  }
}
