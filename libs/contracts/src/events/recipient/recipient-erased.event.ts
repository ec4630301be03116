import { Equals } from 'class-validator';

export const RECIPIENT_ERASED = 'recipient.erased';

/**
 * The contact's user was erased, and the contact with it: it is no longer a channel and nothing of
 * it (address, user, data) is kept. Registering the same address again starts a new contact.
 * Topic: recipient.events, aggregate: the recipient id.
 */
export class RecipientErasedPayload {
  /** The contact's status after the event. */
  @Equals('erased')
  status!: 'erased';
}
