import { EntityManager } from 'typeorm';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { Recipient } from '../domain/recipient';
import { RecipientsRepository } from '../persistence/recipients.repository';

/** Whether a contact was one of its user's present contacts (before a change). */
export interface ContactStanding {
  present: boolean;
  userId: string | null;
}

export function standingOf(recipient: Recipient | null): ContactStanding | null {
  return recipient && { present: recipient.isPresent, userId: recipient.snapshot.userId };
}

/**
 * The application's limit of contacts per user, when a change makes `recipient` one more present
 * contact of its user (it was not, as `before` says) and the user holds that many already; undefined
 * when the change may go ahead.
 */
export async function contactLimitPassed(
  recipients: RecipientsRepository,
  settings: ApplicationSettingsStore,
  em: EntityManager,
  recipient: Recipient,
  before: ContactStanding | null,
): Promise<number | undefined> {
  const { application, recipientId, userId } = recipient.snapshot;
  if (!recipient.isPresent || userId === null || (before?.present && before.userId === userId)) return undefined;
  const { contactsPerUser } = await settings.channelLimits(em, application);
  return (await recipients.mayAttach(em, { application, userId }, [recipientId], contactsPerUser)) ? undefined : contactsPerUser;
}
