import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DEFAULT_APPLICATION_SETTINGS, Message, REGISTER_RECIPIENT, causedBy, normaliseRecipientAddress, recipientId } from '@omni/contracts';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { Decision } from '@omni/messaging';
import { Recipient } from '../../domain/recipient';
import { RecipientsRepository } from '../../persistence/recipients.repository';
import { Clock, VerificationTokens } from '../../verification/verification-tokens';
import { decideChanges } from '../recipient-changes';
import { contactLimitPassed, standingOf } from '../contact-limit';
import { RecipientDecisions } from '../recipient-decisions';

/**
 * POST /email, POST /sms: register a new contact, or update the one the application has for this
 * address (reactivating it when it was deactivated), moving it to another user when asked. An
 * address whose contact was erased starts a new contact, continuing the erased one's versions.
 */
@Injectable()
export class RegisterRecipientUseCase {
  constructor(
    private readonly recipients: RecipientsRepository,
    private readonly settings: ApplicationSettingsStore,
    private readonly clock: Clock,
    private readonly tokens: VerificationTokens,
  ) {}

  async execute(em: EntityManager, command: Message<typeof REGISTER_RECIPIENT>): Promise<Decision> {
    const { application, aggregateId, payload } = command;
    const { channel } = payload;
    // The API body names the address `email` or `phone`: errors name it the same way (never quoting it).
    const field = channel === 'email' ? 'email' : 'phone';
    const address = normaliseRecipientAddress(channel, payload.address, payload.region);
    if (address === undefined) {
      const message = channel === 'email' ? 'email must be a valid email address' : 'phone must be a valid phone number (international, or national with a region)';
      return RecipientDecisions.validationFailed([{ field, message }]);
    }
    if (address !== payload.normalisedAddress || recipientId(channel, address) !== aggregateId) {
      return RecipientDecisions.validationFailed([{ field, message: `${field} does not match the recipient the command was sent for` }]);
    }

    const found = await this.recipients.findForUpdate(em, application, aggregateId);
    // An erased contact's address is gone: it cannot be compared, and the contact starts anew.
    const tombstone = found?.isErased ? found : null;
    const existing = tombstone ? null : found;
    if (found && found.snapshot.channel !== channel) return RecipientDecisions.idConflict();
    if (existing && existing.snapshot.address !== address) return RecipientDecisions.idConflict();

    const settings = async () => (await this.settings.get(em, application))?.settings ?? DEFAULT_APPLICATION_SETTINGS;
    const decided = await decideChanges(settings, payload, existing?.user ?? null, this.clock.now(), () => this.tokens.issue());
    if (!decided.ok) return decided.decision;
    const cause = causedBy(command);
    const before = standingOf(found);
    let recipient: Recipient;
    if (existing) {
      recipient = existing;
      existing.reregister(decided.changes, cause);
    } else if (tombstone) {
      recipient = tombstone;
      tombstone.registerAnew(address, decided.changes, cause);
    } else {
      recipient = Recipient.register(application, aggregateId, channel, address, decided.changes, cause);
    }

    const limit = await contactLimitPassed(this.recipients, this.settings, em, recipient, before);
    if (limit !== undefined) return RecipientDecisions.channelLimitReached(limit);
    if (recipient.events.length > 0) await this.recipients.save(em, recipient);
    if (decided.userData) return RecipientDecisions.acceptedWithUserData(command, recipient, decided.userData, { created: !existing });
    return RecipientDecisions.accepted(recipient, { created: !existing });
  }
}
