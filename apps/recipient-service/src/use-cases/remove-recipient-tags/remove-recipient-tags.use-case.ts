import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Message, REMOVE_RECIPIENT_TAGS, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { RecipientsRepository } from '../../persistence/recipients.repository';
import { RecipientDecisions } from '../recipient-decisions';

/** PUT /email/{deviceID}/removetags, /sms/{deviceID}/removetags: tags the contact does not have are ignored. */
@Injectable()
export class RemoveRecipientTagsUseCase {
  constructor(private readonly recipients: RecipientsRepository) {}

  async execute(em: EntityManager, command: Message<typeof REMOVE_RECIPIENT_TAGS>): Promise<Decision> {
    const recipient = await this.recipients.findForUpdate(em, command.application, command.aggregateId);
    if (!recipient?.isPresent) return RecipientDecisions.notFound();
    recipient.removeTags(command.payload.tags, causedBy(command));
    if (recipient.events.length > 0) await this.recipients.save(em, recipient);
    return RecipientDecisions.accepted(recipient);
  }
}
