import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ADD_RECIPIENT_TAGS, Message, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { RecipientsRepository } from '../../persistence/recipients.repository';
import { RecipientDecisions } from '../recipient-decisions';

/** PUT /email/{deviceID}/addtags, /sms/{deviceID}/addtags: tags the contact has already stay once. */
@Injectable()
export class AddRecipientTagsUseCase {
  constructor(private readonly recipients: RecipientsRepository) {}

  async execute(em: EntityManager, command: Message<typeof ADD_RECIPIENT_TAGS>): Promise<Decision> {
    const recipient = await this.recipients.findForUpdate(em, command.application, command.aggregateId);
    if (!recipient?.isPresent) return RecipientDecisions.notFound();
    recipient.addTags(command.payload.tags, causedBy(command));
    if (recipient.events.length > 0) await this.recipients.save(em, recipient);
    return RecipientDecisions.accepted(recipient);
  }
}
