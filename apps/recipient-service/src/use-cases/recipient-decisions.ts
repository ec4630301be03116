import { Envelope, FieldError, OVERRIDE_USER_DATA, Topics, forwardedCommand } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { Recipient } from '../domain/recipient';
import type { UserDataForUser } from './recipient-changes';

/** The aggregate type of every recipient-service outcome (the read model gates visibility on it). */
export const RECIPIENT_AGGREGATE = 'recipient';

/**
 * The aggregate type of a command about all of a user's contacts (its aggregate id is the userID).
 * The user has no version in this service: its outcome carries version 0, nothing to wait for.
 */
export const USER_AGGREGATE = 'user';

/** The answers recipient use cases share, so that one rule always reads the same to the client. */
export const RecipientDecisions = {
  /** The contact changed (or nothing needed to): its version and its events. */
  accepted(recipient: Recipient, options: { created?: boolean; events?: readonly Envelope[] } = {}): Decision {
    const events = [...(options.events ?? recipient.events)];
    return Decision.accepted(RECIPIENT_AGGREGATE, recipient.snapshot.version, events, options.created === undefined ? {} : { created: options.created });
  },

  /**
   * The contact changed (or nothing needed to), and the user data the command carried is its
   * user's: handed to the profile-service, whose outcome answers the command once the user's data
   * and this contact's version are both visible (ADR 0015).
   */
  acceptedWithUserData(command: Envelope, recipient: Recipient, forUser: UserDataForUser, options: { created?: boolean } = {}): Decision {
    const toUser = forwardedCommand(command, {
      type: OVERRIDE_USER_DATA,
      aggregateId: forUser.userId,
      payload: { userData: forUser.userData, credential: forUser.credential },
      forwardedFrom: {
        ...options,
        changed: { aggregateType: RECIPIENT_AGGREGATE, aggregateId: recipient.snapshot.recipientId, version: recipient.snapshot.version },
      },
    });
    return Decision.forwarded(Topics.profileCommands, toUser, [...recipient.events]);
  },

  /** A command about a user's contacts was applied: the events of every contact it changed (none when the user had none). */
  acceptedForUser(events: readonly Envelope[]): Decision {
    return Decision.accepted(USER_AGGREGATE, 0, [...events]);
  },

  /** Unknown, deactivated or erased: to every command but register, the contact does not exist. */
  notFound(): Decision {
    return Decision.rejected(RECIPIENT_AGGREGATE, 404, 'RECIPIENT_NOT_FOUND', 'recipient not found');
  },

  userRegistrationRestricted(): Decision {
    return Decision.rejected(RECIPIENT_AGGREGATE, 403, 'USER_REGISTRATION_RESTRICTED', 'user registration is restricted to the API');
  },

  /** Wrong, expired or already used token, or nothing to confirm: one answer for all, so it tells an attacker nothing. */
  invalidToken(): Decision {
    return Decision.rejected(RECIPIENT_AGGREGATE, 400, 'INVALID_TOKEN', 'the verification token is invalid or has expired', [
      { field: 'token', message: 'token is invalid or has expired' },
    ]);
  },

  /** The stored contact with this id has another address: two addresses share a recipient id (a hash collision). */
  idConflict(): Decision {
    return Decision.rejected(RECIPIENT_AGGREGATE, 409, 'RECIPIENT_ID_CONFLICT', 'another address already has this recipient id');
  },

  /** The contact would be one more present contact of its user than the application allows. */
  channelLimitReached(limit: number): Decision {
    return Decision.rejected(
      RECIPIENT_AGGREGATE,
      409,
      'CHANNEL_LIMIT_REACHED',
      `the user already has ${limit} email contacts and SMS numbers, the most this application allows (channelLimits.contactsPerUser): deactivate one, or raise the limit`,
    );
  },

  validationFailed(fields: FieldError[]): Decision {
    return Decision.rejected(RECIPIENT_AGGREGATE, 400, 'VALIDATION_FAILED', `invalid payload: ${fields.map((f) => f.message).join('; ')}`, fields);
  },
};
