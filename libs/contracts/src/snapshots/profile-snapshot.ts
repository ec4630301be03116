import { messageKey } from '../envelope';

/**
 * The value of `profile.snapshots` (compacted): one user's full unified profile, published by the
 * projection after every applied change that affects the user. A snapshot is state, not an event:
 * it is not an Envelope, and a subscriber keeps only the last value per key. A subscriber can
 * bootstrap from this topic alone (read it from the beginning, keep the last value per key).
 *
 * Key: `<application>:<userID>` (see `profileSnapshotKey`). A null value (tombstone) means the user
 * was erased: forget everything about them.
 *
 * Headers: `message-type` (`profile.snapshot`, or `profile.snapshot-erased` on a tombstone),
 * `application`, `snapshot-version`.
 *
 * Field names are part of the wire contract (subscribers outside this repository read them). Add
 * fields compatibly; a breaking change needs a new `schemaVersion` and a migration plan.
 */
export const PROFILE_SNAPSHOT = 'profile.snapshot';
/** Header `message-type` of a tombstone (null value). */
export const PROFILE_SNAPSHOT_ERASED = 'profile.snapshot-erased';
export const PROFILE_SNAPSHOT_SCHEMA_VERSION = 1;

/** A push device of the profile (active devices only). */
export interface ProfilePushChannel {
  deviceID: string;
  platform: string;
  transport: string;
  /** The device's properties (language, region, osVersion, …): only the ones that are set. */
  properties: Record<string, unknown>;
  tags: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** An email contact or SMS number of the profile (active ones, and those awaiting verification). */
export interface ProfileContactChannel {
  /** The recipient's id (called deviceID in the REST API, as the reference does). */
  deviceID: string;
  /** Normalised address: an email address, or an E.164 phone number. */
  address: string;
  properties: Record<string, unknown>;
  tags: string[];
  active: boolean;
  verification: 'none' | 'pending' | 'verified';
  createdAt: string;
  updatedAt: string;
}

export interface ProfileSnapshot {
  schemaVersion: number;
  application: string;
  userID: string;
  userName: string | null;
  active: boolean;
  userData: Record<string, unknown>;
  channels: {
    push: ProfilePushChannel[];
    email: ProfileContactChannel[];
    sms: ProfileContactChannel[];
  };
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601: the latest change of the user or of one of its channels. */
  updatedAt: string;
  /** Grows with every snapshot of this user: a subscriber ignores a snapshot older than the one it has. */
  version: number;
}

/** Kafka key of a user's snapshots: the application and the userID. */
export function profileSnapshotKey(application: string, userID: string): string {
  return messageKey(application, userID);
}

/** The fields of a ProfileSnapshot (kept complete by the type check below; the AsyncAPI test reads it). */
export const PROFILE_SNAPSHOT_FIELDS = [
  'schemaVersion',
  'application',
  'userID',
  'userName',
  'active',
  'userData',
  'channels',
  'createdAt',
  'updatedAt',
  'version',
] as const satisfies readonly (keyof ProfileSnapshot)[];
type MissingSnapshotField = Exclude<keyof ProfileSnapshot, (typeof PROFILE_SNAPSHOT_FIELDS)[number]>;
const everySnapshotField: MissingSnapshotField extends never ? true : false = true;
void everySnapshotField;
