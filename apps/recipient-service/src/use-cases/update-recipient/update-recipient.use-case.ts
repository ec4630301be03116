import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DEFAULT_APPLICATION_SETTINGS, Message, UPDATE_RECIPIENT, causedBy } from '@omni/contracts';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { Decision } from '@omni/messaging';
import { RecipientsRepository } from '../../persistence/recipients.repository';
import { Clock, VerificationTokens } from '../../verification/verification-tokens';
import { decideChanges } from '../recipient-changes';
import { contactLimitPassed, standingOf } from '../contact-limit';
import { RecipientDecisions } from '../recipient-decisions';

/** PUT /email/{deviceID}, PUT /sms/{deviceID}: change an active or pending contact (never its address). */
@Injectable()
export class UpdateRecipientUseCase {
  constructor(
    private readonly recipients: RecipientsRepository,
    private readonly settings: ApplicationSettingsStore,
    private readonly clock: Clock,
    private readonly tokens: VerificationTokens,
  ) {}

  async execute(em: EntityManager, command: Message<typeof UPDATE_RECIPIENT>): Promise<Decision> {
    const recipient = await this.recipients.findForUpdate(em, command.application, command.aggregateId);
    if (!recipient?.isPresent) return RecipientDecisions.notFound();
    const settings = async () => (await this.settings.get(em, command.application))?.settings ?? DEFAULT_APPLICATION_SETTINGS;
    const decided = await decideChanges(settings, command.payload, recipient.user, this.clock.now(), () => this.tokens.issue());
    if (!decided.ok) return decided.decision;
    const before = standingOf(recipient);
    recipient.update(decided.changes, causedBy(command));
    const limit = await contactLimitPassed(this.recipients, this.settings, em, recipient, before);
    if (limit !== undefined) return RecipientDecisions.channelLimitReached(limit);
    if (recipient.events.length > 0) await this.recipients.save(em, recipient);
    if (decided.userData) return RecipientDecisions.acceptedWithUserData(command, recipient, decided.userData);
    return RecipientDecisions.accepted(recipient);
  }
}
