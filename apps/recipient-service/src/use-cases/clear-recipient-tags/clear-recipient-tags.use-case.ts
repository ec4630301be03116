import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CLEAR_RECIPIENT_TAGS, Message, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { RecipientsRepository } from '../../persistence/recipients.repository';
import { RecipientDecisions } from '../recipient-decisions';

/** PUT /email/{deviceID}/cleartags, /sms/{deviceID}/cleartags: remove every tag. */
@Injectable()
export class ClearRecipientTagsUseCase {
  constructor(private readonly recipients: RecipientsRepository) {}

  async execute(em: EntityManager, command: Message<typeof CLEAR_RECIPIENT_TAGS>): Promise<Decision> {
    const recipient = await this.recipients.findForUpdate(em, command.application, command.aggregateId);
    if (!recipient?.isPresent) return RecipientDecisions.notFound();
    recipient.clearTags(causedBy(command));
    if (recipient.events.length > 0) await this.recipients.save(em, recipient);
    return RecipientDecisions.accepted(recipient);
  }
}
