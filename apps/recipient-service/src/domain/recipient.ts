import {
  CausedBy,
  Envelope,
  RECIPIENT_DEACTIVATED,
  RECIPIENT_ERASED,
  RECIPIENT_PROPERTY_KEYS,
  RECIPIENT_REGISTERED,
  RECIPIENT_TAGS_CHANGED,
  RECIPIENT_UPDATED,
  RECIPIENT_USER_ASSIGNED,
  RECIPIENT_USER_DATA_CHANGED,
  RECIPIENT_USER_REMOVED,
  RECIPIENT_VERIFICATION_REQUESTED,
  RECIPIENT_VERIFIED,
  RecipientChannel,
  RecipientChannelState,
  RecipientDeactivatedPayload,
  RecipientErasedPayload,
  RecipientProperties,
  RecipientPropertyKey,
  RecipientRegisteredPayload,
  RecipientStatus,
  RecipientTagsChangedPayload,
  RecipientUpdatedPayload,
  RecipientUserAssignedPayload,
  RecipientUserDataChangedPayload,
  RecipientUserRemovedPayload,
  RecipientVerification,
  RecipientVerificationRequestedPayload,
  RecipientVerifiedPayload,
  UserDataMap,
  newEnvelope,
  overrideUserData,
  sameTags,
  sameUserData,
  withTags,
  withoutTags,
} from '@omni/contracts';
import { StoredToken, TokenIssuer, sameTokenHash } from './verification-token';

/** A recipient's stored properties: only set ones (a cleared property is absent). */
export type RecipientPropertyValues = { [K in RecipientPropertyKey]?: NonNullable<RecipientProperties[K]> };

/** Contact-level user data as stored: a cleared field is absent. */
export type RecipientUserData = Record<string, string | number | boolean>;

/**
 * A contact's lifecycle as stored: the wire statuses, and `erased` — a tombstone left when its user
 * was erased: nothing personal is kept (no address, user, data or properties), only its id,
 * channel and version, so that registering the same address again continues its history.
 */
export type StoredRecipientStatus = RecipientStatus | 'erased';

export interface RecipientUser {
  userId: string;
  userName: string | null;
}

export interface RecipientState {
  application: string;
  recipientId: string;
  channel: RecipientChannel;
  /** The normalised address (personal data: never logged); null once erased. */
  address: string | null;
  userId: string | null;
  userName: string | null;
  properties: RecipientPropertyValues;
  tags: string[];
  userData: RecipientUserData;
  status: StoredRecipientStatus;
  verification: RecipientVerification;
  /** The pending verification's token (its hash only), or null. */
  token: StoredToken | null;
  version: number;
}

/** What a registration or an update asks to change. Absent leaves a part as it is. */
export interface RecipientChangeSet {
  /** Given properties (null clears one); keys that are not recipient properties are ignored. */
  properties: RecipientProperties;
  /** A user: the contact belongs to it; null: to nobody. */
  user?: RecipientUser | null;
  /** Given fields replace their values, null clears, the others stay. */
  userData?: UserDataMap;
  /** Tags to add. */
  tags?: readonly string[];
  /** Present when the command asks for verification: issues the token if the rules need one. */
  verify?: TokenIssuer;
}

/**
 * An email contact or SMS number of an application: one per (channel, normalised address),
 * identified by the recipient id derived from them. Plain rules, no framework: every change
 * records a versioned event; a change that changes nothing records none.
 *
 * Lifecycle: `active` is a usable channel. A contact registered with verification is `inactive`
 * and `pending` until its token is confirmed; a deactivated one is `inactive` and not pending. An
 * `erased` one is a tombstone: it exists for no command but register, which starts it anew.
 */
export class Recipient {
  private readonly pending: Envelope[] = [];

  /**
   * @param began When the contact began (see `registeredAt`): kept beside its state, which is what
   *   the commands decide on.
   */
  private constructor(
    private state: RecipientState,
    private began: Date | null,
  ) {}

  /** A stored contact; `registeredAt` null when its registration's time is not known (a tombstone). */
  static restore(state: RecipientState, registeredAt: Date | null = null): Recipient {
    return new Recipient(
      {
        ...state,
        properties: { ...state.properties },
        tags: [...state.tags],
        userData: { ...state.userData },
        token: state.token && { ...state.token },
      },
      registeredAt,
    );
  }

  /** An address seen for the first time: recipient.registered with its whole state (and a verification request if asked). */
  static register(
    application: string,
    recipientId: string,
    channel: RecipientChannel,
    address: string,
    changes: RecipientChangeSet,
    cause: CausedBy,
  ): Recipient {
    const recipient = new Recipient(
      {
        application,
        recipientId,
        channel,
        address,
        userId: null,
        userName: null,
        properties: {},
        tags: [],
        userData: {},
        status: 'inactive',
        verification: 'none',
        token: null,
        version: 0,
      },
      null,
    );
    recipient.recordRegistration(changes, cause, true);
    return recipient;
  }

  /**
   * A known address is registered again: a deactivated contact comes back with one
   * recipient.registered carrying its whole state; an active or pending one records only what
   * changed (as an update).
   */
  reregister(changes: RecipientChangeSet, cause: CausedBy): void {
    if (this.isErased) throw new Error('an erased contact is registered anew, with its address');
    if (this.isDeactivated) this.recordRegistration(changes, cause, false);
    else this.update(changes, cause);
  }

  /**
   * An erased contact's address is registered again: a new contact (recipient.registered with its
   * whole state, as for an address seen for the first time) that continues the tombstone's versions.
   */
  registerAnew(address: string, changes: RecipientChangeSet, cause: CausedBy): void {
    if (!this.isErased) throw new Error('only an erased contact is registered anew');
    this.state = { ...this.state, address };
    this.recordRegistration(changes, cause, true);
  }

  /**
   * Its user was erased: the contact is removed for good, with one recipient.erased. It stays as a
   * tombstone keeping nothing personal — no address, user, user data, properties, tags or
   * verification — so that its version carries on if its address is registered again. An erased
   * contact stays as it is.
   */
  erase(cause: CausedBy): void {
    if (this.isErased) return;
    const payload: RecipientErasedPayload = { status: 'erased' };
    this.began = null;
    this.record(RECIPIENT_ERASED, payload, cause, (state) => ({
      ...state,
      address: null,
      userId: null,
      userName: null,
      properties: {},
      tags: [],
      userData: {},
      status: 'erased',
      verification: 'none',
      token: null,
    }));
  }

  /**
   * Change an active or pending contact: properties, user, user data, tags (added). Asking for
   * verification again while pending replaces the token; an active contact stays active.
   */
  update(changes: RecipientChangeSet, cause: CausedBy): void {
    this.changeProperties(changes.properties, cause);
    if (changes.user) this.assignUser(changes.user, cause);
    else if (changes.user === null) this.removeUser(cause);
    if (changes.tags) this.addTags(changes.tags, cause);
    if (changes.userData) this.overrideUserData(changes.userData, cause);
    if (changes.verify && this.state.verification === 'pending') this.requestVerification(changes.verify, cause);
  }

  /** Deactivate: it keeps its user, tags and data; a pending verification is cancelled. A deactivated or erased contact stays as it is. */
  deactivate(cause: CausedBy): void {
    if (!this.isPresent) return;
    const payload: RecipientDeactivatedPayload = { userID: this.state.userId };
    this.record(RECIPIENT_DEACTIVATED, payload, cause, (state) => ({
      ...state,
      status: 'inactive',
      verification: state.verification === 'pending' ? 'none' : state.verification,
      token: null,
    }));
  }

  /**
   * Confirm a pending verification with the hash of the token presented at `now`: the right,
   * unexpired token activates and verifies the contact, once. False (and nothing changes) for
   * any other token, an expired one, or a contact with no pending verification.
   */
  confirm(tokenHash: string, now: Date, cause: CausedBy): boolean {
    const { token } = this.state;
    if (this.state.verification !== 'pending' || token === null) return false;
    if (!sameTokenHash(token.hash, tokenHash) || now.getTime() >= token.expiresAt.getTime()) return false;
    const payload: RecipientVerifiedPayload = { userID: this.state.userId };
    this.record(RECIPIENT_VERIFIED, payload, cause, (state) => ({ ...state, status: 'active', verification: 'verified', token: null }));
    return true;
  }

  /**
   * Attach to a user (moving from the previous one); the same user with the same name changes
   * nothing. The event carries the contact's whole state, sealed for the user it now belongs to
   * (what was sealed for the previous user must not be needed to rebuild it: ADR 0009).
   */
  assignUser(user: RecipientUser, cause: CausedBy): void {
    if (user.userId === this.state.userId && user.userName === this.state.userName) return;
    const payload: RecipientUserAssignedPayload = {
      userID: user.userId,
      userName: user.userName,
      previousUserID: this.state.userId,
      state: this.channelState(),
    };
    this.record(RECIPIENT_USER_ASSIGNED, payload, cause, (state) => ({ ...state, userId: user.userId, userName: user.userName }));
  }

  /** Detach from the user, with the contact's whole state (of nobody now); a contact of nobody stays as it is. */
  removeUser(cause: CausedBy): void {
    const previousUserId = this.state.userId;
    if (previousUserId === null) return;
    const payload: RecipientUserRemovedPayload = { previousUserID: previousUserId, state: this.channelState() };
    this.record(RECIPIENT_USER_REMOVED, payload, cause, (state) => ({ ...state, userId: null, userName: null }));
  }

  /** Add tags; the ones it has stay once, in the order they were first added. */
  addTags(tags: readonly string[], cause: CausedBy): void {
    this.changeTags(withTags(this.state.tags, tags), cause);
  }

  removeTags(tags: readonly string[], cause: CausedBy): void {
    this.changeTags(withoutTags(this.state.tags, tags), cause);
  }

  clearTags(cause: CausedBy): void {
    this.changeTags([], cause);
  }

  /** Given fields replace their values, null clears, the others stay. */
  overrideUserData(changes: UserDataMap, cause: CausedBy): void {
    this.changeUserData(overrideUserData(this.state.userData, changes), cause);
  }

  /** Active, or pending verification: the contact exists for every command. */
  get isPresent(): boolean {
    return !this.isDeactivated && !this.isErased;
  }

  /** Erased with its user: to every command but register, it does not exist. */
  get isErased(): boolean {
    return this.state.status === 'erased';
  }

  /** Deactivated (or never activated and no longer pending): to every command but register, it does not exist. */
  get isDeactivated(): boolean {
    return this.state.status === 'inactive' && this.state.verification !== 'pending';
  }

  get user(): RecipientUser | null {
    return this.state.userId === null ? null : { userId: this.state.userId, userName: this.state.userName };
  }

  get snapshot(): Readonly<RecipientState> {
    return this.state;
  }

  /**
   * When the contact began: the time of its first recipient.registered, or of the one that
   * registered it anew after it was erased (a deactivated contact that comes back keeps it). Null
   * for a tombstone, and when not known.
   */
  get registeredAt(): Date | null {
    return this.began;
  }

  /** Events recorded since restore/register, in order, each with its aggregate version. */
  get events(): readonly Envelope[] {
    return this.pending;
  }

  /**
   * The whole state after a (re)registration, as one recipient.registered event, then the
   * verification request. `begins`: the contact begins with it (first seen, or registered anew).
   */
  private recordRegistration(changes: RecipientChangeSet, cause: CausedBy, begins: boolean): void {
    const time = new Date();
    if (begins) this.began = time;
    const properties = mergeProperties(this.state.properties, changes.properties).next;
    const user = changes.user === undefined ? this.user : changes.user;
    const tags = withTags(this.state.tags, changes.tags ?? []);
    const userData = overrideUserData(this.state.userData, changes.userData ?? {});
    const issued = changes.verify?.();
    const status: RecipientStatus = issued ? 'inactive' : 'active';
    const verification: RecipientVerification = issued ? 'pending' : this.state.verification === 'verified' ? 'verified' : 'none';
    const payload: RecipientRegisteredPayload = {
      channel: this.state.channel,
      address: this.address,
      properties,
      userID: user?.userId ?? null,
      userName: user?.userName ?? null,
      tags,
      userData,
      status,
      verification,
      ...(this.began ? { createdAt: this.began.toISOString() } : {}),
    };
    this.record(RECIPIENT_REGISTERED, payload, cause, (state) => ({
      ...state,
      properties,
      userId: user?.userId ?? null,
      userName: user?.userName ?? null,
      tags,
      userData,
      status,
      verification,
      token: null,
    }), time);
    if (issued) this.recordVerificationRequest(issued, cause);
  }

  private requestVerification(issue: TokenIssuer, cause: CausedBy): void {
    this.recordVerificationRequest(issue(), cause);
  }

  private recordVerificationRequest(issued: ReturnType<TokenIssuer>, cause: CausedBy): void {
    const payload: RecipientVerificationRequestedPayload = {
      channel: this.state.channel,
      address: this.address,
      token: issued.token,
      expiresAt: issued.expiresAt.toISOString(),
    };
    this.record(RECIPIENT_VERIFICATION_REQUESTED, payload, cause, (state) => ({
      ...state,
      verification: 'pending',
      token: { hash: issued.hash, expiresAt: issued.expiresAt },
    }));
  }

  /** Everything the contact is but its user (which an owner change does not touch), as an owner change carries it. */
  private channelState(): RecipientChannelState {
    const { channel, properties, tags, userData, status, verification } = this.state;
    if (status === 'erased') throw new Error('an erased contact has no owner to change');
    return {
      channel,
      address: this.address,
      properties: { ...properties },
      tags: [...tags],
      userData: { ...userData },
      status,
      verification,
      ...(this.began ? { createdAt: this.began.toISOString() } : {}),
    };
  }

  /** The address of a contact that has one (every contact but an erased one). */
  private get address(): string {
    if (this.state.address === null) throw new Error('an erased contact has no address');
    return this.state.address;
  }

  private changeProperties(given: RecipientProperties, cause: CausedBy): void {
    const { next, changed } = mergeProperties(this.state.properties, given);
    if (Object.keys(changed).length === 0) return;
    const payload: RecipientUpdatedPayload = { properties: changed };
    this.record(RECIPIENT_UPDATED, payload, cause, (state) => ({ ...state, properties: next }));
  }

  private changeTags(tags: string[], cause: CausedBy): void {
    if (sameTags(tags, this.state.tags)) return;
    const payload: RecipientTagsChangedPayload = { tags };
    this.record(RECIPIENT_TAGS_CHANGED, payload, cause, (state) => ({ ...state, tags }));
  }

  private changeUserData(userData: RecipientUserData, cause: CausedBy): void {
    if (sameUserData(userData, this.state.userData)) return;
    const payload: RecipientUserDataChangedPayload = { userData };
    this.record(RECIPIENT_USER_DATA_CHANGED, payload, cause, (state) => ({ ...state, userData }));
  }

  /**
   * Apply a change and record its event at the next version. The event's subject — whose personal
   * data it holds, sealed with that user's key — is the contact's user after the change (none when
   * it belongs to nobody then).
   */
  private record<P>(type: string, payload: P, cause: CausedBy, apply: (state: RecipientState) => RecipientState, time?: Date): void {
    const version = this.state.version + 1;
    this.state = { ...apply(this.state), version };
    this.pending.push(
      newEnvelope({
        type,
        application: this.state.application,
        aggregateId: this.state.recipientId,
        aggregateVersion: version,
        correlationId: cause.correlationId,
        causationId: cause.id,
        subject: this.state.userId,
        payload,
        time,
      }),
    );
  }
}

/** Region and country are stored upper-case (`nl` is NL). */
function normaliseProperty(key: RecipientPropertyKey, value: unknown): unknown {
  return (key === 'region' || key === 'country') && typeof value === 'string' ? value.toUpperCase() : value;
}

/**
 * Apply given properties (only recipient property keys; null clears) to the current ones: the
 * new properties and what changed (a cleared property as null).
 */
function mergeProperties(current: RecipientPropertyValues, given: RecipientProperties): { next: RecipientPropertyValues; changed: RecipientProperties } {
  const next: Record<string, unknown> = { ...current };
  const changed: Record<string, unknown> = {};
  for (const key of RECIPIENT_PROPERTY_KEYS) {
    if (!Object.prototype.hasOwnProperty.call(given, key) || given[key] === undefined) continue;
    const value = normaliseProperty(key, given[key]);
    if (value === (next[key] ?? null)) continue;
    changed[key] = value;
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return { next: next as RecipientPropertyValues, changed: changed as RecipientProperties };
}
