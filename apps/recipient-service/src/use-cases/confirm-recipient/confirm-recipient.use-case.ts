import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CONFIRM_RECIPIENT, Message, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { RecipientsRepository } from '../../persistence/recipients.repository';
import { Clock, VerificationTokens } from '../../verification/verification-tokens';
import { RecipientDecisions } from '../recipient-decisions';

/**
 * Confirm a pending contact with the token its verification request carried: the right,
 * unexpired token activates and verifies it, once; any other answer is 400 INVALID_TOKEN.
 */
@Injectable()
export class ConfirmRecipientUseCase {
  constructor(
    private readonly recipients: RecipientsRepository,
    private readonly clock: Clock,
    private readonly tokens: VerificationTokens,
  ) {}

  async execute(em: EntityManager, command: Message<typeof CONFIRM_RECIPIENT>): Promise<Decision> {
    const recipient = await this.recipients.findForUpdate(em, command.application, command.aggregateId);
    if (!recipient?.isPresent) return RecipientDecisions.notFound();
    if (!recipient.confirm(this.tokens.hash(command.payload.token), this.clock.now(), causedBy(command))) return RecipientDecisions.invalidToken();
    await this.recipients.save(em, recipient);
    return RecipientDecisions.accepted(recipient);
  }
}
