import {
  CausedBy,
  Envelope,
  USER_DATA_CHANGED,
  USER_DEACTIVATED,
  USER_ERASED,
  USER_REGISTERED,
  USER_RENAMED,
  UserDataChangedPayload,
  UserDeactivatedPayload,
  UserErasedPayload,
  StoredUserData,
  UserDataMap,
  UserRegisteredPayload,
  overrideUserData,
  sameUserData,
  UserRenamedPayload,
  newEnvelope,
} from '@omni/contracts';

export type UserStatus = 'active' | 'inactive';

export interface UserState {
  application: string;
  userId: string;
  userName: string | null;
  status: UserStatus;
  /** The user's data: what every one of the user's channels carries. */
  userData: StoredUserData;
  version: number;
}

/** A user of an application: the business's own userID, a display name, a lifecycle. Plain rules, no framework. */
export class User {
  private readonly pending: Envelope[] = [];

  private constructor(private state: UserState) {}

  static restore(state: UserState): User {
    return new User({ ...state });
  }

  static register(application: string, userId: string, userName: string | null, cause: CausedBy): User {
    const user = new User({ application, userId, userName: null, status: 'active', userData: {}, version: 0 });
    const payload: UserRegisteredPayload = { userName };
    user.record(USER_REGISTERED, payload, cause, (state) => ({ ...state, userName }));
    return user;
  }

  /** Rename; nothing happens (and nothing is emitted) when the name does not change. */
  rename(userName: string | null, cause: CausedBy): void {
    if (userName === this.state.userName) return;
    const payload: UserRenamedPayload = { userName };
    this.record(USER_RENAMED, payload, cause, (state) => ({ ...state, userName }));
  }

  /**
   * Override semantics: the given fields replace their values, a field given as null is cleared,
   * fields not given stay. Nothing is emitted when nothing changes.
   */
  overrideUserData(changes: UserDataMap, cause: CausedBy): void {
    const next = overrideUserData(this.state.userData, changes);
    if (sameUserData(next, this.state.userData)) return;
    const payload: UserDataChangedPayload = { userData: next };
    this.record(USER_DATA_CHANGED, payload, cause, (state) => ({ ...state, userData: next }));
  }

  /**
   * Hide the user from lists and messaging (until a channel registers again). Recorded even when
   * this user is inactive here already: a channel registering for the user reactivates it in the
   * read model, which this service does not see, so a second deactivation must reach the read model
   * too (where a repeated one changes nothing).
   */
  deactivate(cause: CausedBy): void {
    const payload: UserDeactivatedPayload = { status: 'inactive' };
    this.record(USER_DEACTIVATED, payload, cause, (state) => ({ ...state, status: 'inactive' }));
  }

  /**
   * Erase: the last event of the user. The caller deletes the user's row; the projection removes
   * the user everywhere and shreds the user's key.
   */
  erase(cause: CausedBy): void {
    const payload: UserErasedPayload = { status: 'erased' };
    this.record(USER_ERASED, payload, cause, (state) => state);
  }

  get snapshot(): Readonly<UserState> {
    return this.state;
  }

  /** Events recorded since restore/register, in order, each with its aggregate version. */
  get events(): readonly Envelope[] {
    return this.pending;
  }

  private record<T extends string, P>(type: T, payload: P, cause: CausedBy, apply: (state: UserState) => UserState): void {
    const version = this.state.version + 1;
    this.state = { ...apply(this.state), version };
    this.pending.push(
      newEnvelope({
        type,
        application: this.state.application,
        aggregateId: this.state.userId,
        aggregateVersion: version,
        correlationId: cause.correlationId,
        causationId: cause.id,
        // Every user event is about the user's personal data: sealed with the user's key on the way out.
        subject: this.state.userId,
        payload,
      }),
    );
  }
}
