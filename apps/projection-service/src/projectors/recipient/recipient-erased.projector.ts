import { Injectable } from '@nestjs/common';
import { Message, RECIPIENT_ERASED } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

/** The contact is gone (its version stays in entity_versions, so no older event brings it back). */
@Injectable()
export class RecipientErasedProjector implements MessageHandler<typeof RECIPIENT_ERASED> {
  readonly type = RECIPIENT_ERASED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof RECIPIENT_ERASED>): Promise<void> {
    const { application, aggregateId: recipientId } = event;
    return this.projection.apply('recipient', event, async (em) => {
      await this.projection.recipients.delete(em, application, recipientId);
    });
  }
}
