import { DEVICE_DEACTIVATED } from './events/device/device-deactivated.event';
import { DEVICE_REGISTERED } from './events/device/device-registered.event';
import { DEVICE_REPLACED } from './events/device/device-replaced.event';
import { DEVICE_UPDATED } from './events/device/device-updated.event';
import { DEVICE_USER_ASSIGNED } from './events/device/device-user-assigned.event';
import { DEVICE_USER_DATA_CHANGED } from './events/device/device-user-data-changed.event';
import { DEVICE_USER_REMOVED } from './events/device/device-user-removed.event';
import { RECIPIENT_DEACTIVATED } from './events/recipient/recipient-deactivated.event';
import { RECIPIENT_REGISTERED } from './events/recipient/recipient-registered.event';
import { RECIPIENT_USER_ASSIGNED } from './events/recipient/recipient-user-assigned.event';
import { RECIPIENT_USER_DATA_CHANGED } from './events/recipient/recipient-user-data-changed.event';
import { RECIPIENT_USER_REMOVED } from './events/recipient/recipient-user-removed.event';
import { RECIPIENT_VERIFICATION_REQUESTED } from './events/recipient/recipient-verification-requested.event';
import { RECIPIENT_VERIFIED } from './events/recipient/recipient-verified.event';
import { USER_DATA_CHANGED } from './events/user/user-data-changed.event';
import { USER_DEACTIVATED } from './events/user/user-deactivated.event';
import { USER_ERASED } from './events/user/user-erased.event';
import { USER_REGISTERED } from './events/user/user-registered.event';
import { USER_RENAMED } from './events/user/user-renamed.event';
import { ERASE_DEVICE_USER } from './commands/device/erase-device-user.command';
import { ERASE_RECIPIENT_USER } from './commands/recipient/erase-recipient-user.command';
import { ERASE_USER } from './commands/user/erase-user.command';
import { EventType } from './message-map';

/**
 * Personal data in events, and what becomes of it once its owner is erased.
 *
 * Event topics are kept forever (the read model is rebuilt from them), so personal data cannot be
 * deleted from them. Instead every personal field of an event is sealed (encrypted) with a key of
 * its data subject — the user the channel belongs to — and erasing the user deletes the key
 * (crypto-shredding, ADR 0009). A field of an anonymous channel has no subject and stays clear.
 *
 * For each event type: the personal fields (dotted paths in the payload), and what a reader gets
 * for a field whose key is gone:
 * - `null`, `{}`: that value (the field means "nothing" then);
 * - `absent`: the field is removed (in a change event, "not changed");
 * - `skip`: the whole event is dropped — it meant nothing but the erased personal data.
 * A field marked `own subject` holds a userID and is sealed with the key of that user (the user a
 * channel moved away from), not the event's subject. A `skip` field `kept with` another field drops
 * the event only when that field is absent (after opening): with it, the event means more than the
 * erased value, which then reads null.
 *
 * An event that changes a channel's owner carries the channel's whole state (`state`), sealed for
 * the new owner: a channel's personal data belongs to its current subject, so a reader that can no
 * longer open what was sealed for an earlier owner still rebuilds the channel the same way
 * (ADR 0009, "Owner changes re-seal the channel's state").
 *
 * User events are about a person by definition: their aggregate id on the wire is the user's key
 * id (a pseudonym), the userID travels sealed in `subject`, and a reader that cannot open it drops
 * the event.
 */
export type WhenErased = null | Record<string, never> | 'absent' | 'skip';

export interface PersonalField {
  path: string;
  whenErased: WhenErased;
  /** The field holds a userID and is sealed with that user's key. */
  ownSubject?: boolean;
  /** With `skip`: the event is kept (this field then reads null) when the payload has the named field. */
  keptWith?: string;
}

const LOCATION: PersonalField[] = [
  { path: 'properties.location', whenErased: 'absent' },
  { path: 'properties.locationAccuracy', whenErased: 'absent' },
  { path: 'properties.altitude', whenErased: 'absent' },
];
const USER_ID: PersonalField = { path: 'userID', whenErased: null };
const USER_NAME: PersonalField = { path: 'userName', whenErased: null };
const USER_DATA: PersonalField = { path: 'userData', whenErased: {} };
const PREVIOUS_USER_ID: PersonalField = { path: 'previousUserID', whenErased: null, ownSubject: true };
/** A channel's whole state on an owner change; sealed with the new owner's key, whose loss leaves the older form of the event. */
const STATE: PersonalField = { path: 'state', whenErased: 'absent' };
/** The user an event only says the channel left: without the state, the event meant nothing else. */
const LEFT_USER_ID: PersonalField = { ...PREVIOUS_USER_ID, whenErased: 'skip', keptWith: STATE.path };

export const PERSONAL_FIELDS: Partial<Record<EventType, readonly PersonalField[]>> = {
  [USER_REGISTERED]: [USER_NAME],
  [USER_RENAMED]: [USER_NAME],
  [USER_DATA_CHANGED]: [{ path: 'userData', whenErased: 'skip' }],
  [USER_DEACTIVATED]: [],
  [USER_ERASED]: [],
  [DEVICE_REGISTERED]: [USER_ID, USER_NAME, USER_DATA, ...LOCATION],
  [DEVICE_UPDATED]: LOCATION,
  [DEVICE_DEACTIVATED]: [USER_ID],
  [DEVICE_USER_ASSIGNED]: [{ path: 'userID', whenErased: 'skip' }, USER_NAME, PREVIOUS_USER_ID, STATE],
  [DEVICE_USER_REMOVED]: [LEFT_USER_ID, STATE],
  [DEVICE_USER_DATA_CHANGED]: [{ path: 'userData', whenErased: 'skip' }],
  [DEVICE_REPLACED]: [PREVIOUS_USER_ID],
  [RECIPIENT_REGISTERED]: [{ path: 'address', whenErased: 'skip' }, USER_ID, USER_NAME, USER_DATA],
  [RECIPIENT_DEACTIVATED]: [USER_ID],
  [RECIPIENT_USER_ASSIGNED]: [{ path: 'userID', whenErased: 'skip' }, USER_NAME, PREVIOUS_USER_ID, STATE],
  [RECIPIENT_USER_REMOVED]: [LEFT_USER_ID, STATE],
  [RECIPIENT_USER_DATA_CHANGED]: [{ path: 'userData', whenErased: 'skip' }],
  [RECIPIENT_VERIFICATION_REQUESTED]: [
    { path: 'address', whenErased: 'skip' },
    { path: 'token', whenErased: 'skip' },
  ],
  [RECIPIENT_VERIFIED]: [USER_ID],
};

/** Event types whose aggregate is the user: aggregate id = key id on the wire, userID in `subject`. */
export const USER_AGGREGATE_EVENTS: ReadonlySet<string> = new Set([
  USER_REGISTERED,
  USER_RENAMED,
  USER_DATA_CHANGED,
  USER_DEACTIVATED,
  USER_ERASED,
]);

/** Sealed values are strings with this prefix: `pd1.<keyId>.<iv>.<ciphertext and tag>` (base64url). */
export const SEALED_PREFIX = 'pd1.';

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

/** The commands that erase a user: their outcomes must not name the user they erased. */
export const ERASURE_COMMANDS: ReadonlySet<string> = new Set([ERASE_USER, ERASE_DEVICE_USER, ERASE_RECIPIENT_USER]);

/** The aggregate id an erasure's outcome carries instead of the userID (nothing waits on it: the route answers 202). */
export const ERASED_AGGREGATE_ID = 'erased';
