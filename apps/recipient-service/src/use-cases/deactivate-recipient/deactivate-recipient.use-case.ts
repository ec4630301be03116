import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DEACTIVATE_RECIPIENT, Message, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { RecipientsRepository } from '../../persistence/recipients.repository';
import { RecipientDecisions } from '../recipient-decisions';

/** DELETE /email/{deviceID}, /sms/{deviceID}: the contact stays readable, inactive; deactivating it again changes nothing. */
@Injectable()
export class DeactivateRecipientUseCase {
  constructor(private readonly recipients: RecipientsRepository) {}

  async execute(em: EntityManager, command: Message<typeof DEACTIVATE_RECIPIENT>): Promise<Decision> {
    const recipient = await this.recipients.findForUpdate(em, command.application, command.aggregateId);
    if (!recipient || recipient.isErased) return RecipientDecisions.notFound();
    recipient.deactivate(causedBy(command));
    if (recipient.events.length > 0) await this.recipients.save(em, recipient);
    return RecipientDecisions.accepted(recipient);
  }
}
