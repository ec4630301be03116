import {
  CausedBy,
  DEFAULT_DEVICE_TRANSPORT,
  DEVICE_DEACTIVATED,
  DEVICE_PROPERTY_KEYS,
  DEVICE_REGISTERED,
  DEVICE_REPLACED,
  DEVICE_TAGS_CHANGED,
  DEVICE_UPDATABLE_PROPERTY_KEYS,
  DEVICE_UPDATED,
  DEVICE_USER_ASSIGNED,
  DEVICE_USER_DATA_CHANGED,
  DEVICE_USER_ERASED,
  DEVICE_USER_REMOVED,
  DeviceChannelState,
  DeviceDeactivatedPayload,
  DevicePlatform,
  DeviceProperties,
  DevicePropertyKey,
  DeviceRegisteredPayload,
  DeviceReplacedPayload,
  DeviceTagsChangedPayload,
  DeviceTransport,
  DeviceUpdatableProperties,
  DeviceUpdatedPayload,
  DeviceUserAssignedPayload,
  DeviceUserDataChangedPayload,
  DeviceUserErasedPayload,
  DeviceUserRemovedPayload,
  Envelope,
  UserDataMap,
  newEnvelope,
  overrideUserData,
  sameTags,
  sameUserData,
  withTags,
  withoutTags,
} from '@omni/contracts';

export type DeviceStatus = 'active' | 'inactive';

/** A device's stored properties: only set ones (a cleared property is absent). */
export type DevicePropertyValues = { [K in DevicePropertyKey]?: NonNullable<DeviceProperties[K]> };

/** Device-level user data as stored: a cleared field is absent. */
export type DeviceUserData = Record<string, string | number | boolean>;

export interface DeviceUser {
  userId: string;
  userName: string | null;
}

export interface DeviceState {
  application: string;
  deviceId: string;
  userId: string | null;
  userName: string | null;
  platform: DevicePlatform;
  transport: DeviceTransport;
  properties: DevicePropertyValues;
  tags: string[];
  userData: DeviceUserData;
  status: DeviceStatus;
  /** The deviceID that replaced this one (oldDeviceID move), or null. */
  replacedBy: string | null;
  version: number;
}

/** The properties that tell where the device (and so its user) is: erased with the user. */
const LOCATION_PROPERTY_KEYS = ['location', 'locationAccuracy', 'altitude'] as const satisfies readonly DevicePropertyKey[];

/** What moves from a replaced device to the deviceID that replaces it. */
export interface CarriedOver {
  fromDeviceId: string;
  user: DeviceUser | null;
  tags: string[];
  userData: DeviceUserData;
}

/** A registration as the device sent it (POST /device). */
export interface Registration {
  platform: DevicePlatform;
  /** Absent: Notificare for a new device, unchanged for a known one. */
  transport?: DeviceTransport;
  /** The properties given (null clears one); keys that are not device properties are ignored. */
  properties: DeviceProperties;
  /** Absent: keep the device's user; null: anonymous; a user: belongs to it. */
  user?: DeviceUser | null;
  /** The user, tags and user data of the device this registration replaces. */
  carried?: CarriedOver;
}

/**
 * A push device of an application, identified by its deviceID (push token). Plain rules, no
 * framework: every change records a versioned event; a change that changes nothing records none.
 */
export class Device {
  private readonly pending: Envelope[] = [];

  private constructor(private state: DeviceState) {}

  static restore(state: DeviceState): Device {
    return new Device({ ...state, properties: { ...state.properties }, tags: [...state.tags], userData: { ...state.userData } });
  }

  /** A deviceID seen for the first time: one device.registered event carrying its whole state. */
  static register(application: string, deviceId: string, registration: Registration, cause: CausedBy): Device {
    const device = new Device({
      application,
      deviceId,
      userId: null,
      userName: null,
      platform: registration.platform,
      transport: registration.transport ?? DEFAULT_DEVICE_TRANSPORT,
      properties: {},
      tags: [],
      userData: {},
      status: 'inactive',
      replacedBy: null,
      version: 0,
    });
    device.recordRegistration(registration, cause);
    return device;
  }

  /**
   * A known deviceID registers again. An inactive (deactivated or replaced) device comes back
   * with one device.registered event carrying its whole state; an active one records only what
   * changed. A user, tags or user data carried from a replaced device merge in; what this device
   * has (and what the registration says explicitly) wins.
   */
  reregister(registration: Registration, cause: CausedBy): void {
    if (!this.isActive) {
      this.recordRegistration(registration, cause);
      return;
    }
    const { carried } = registration;
    this.changeProperties(DEVICE_PROPERTY_KEYS, registration.properties, cause, {
      platform: registration.platform,
      transport: registration.transport,
    });
    const user = this.userAfter(registration);
    if (user) this.assignUser(user, cause);
    else this.removeUser(cause);
    if (carried) {
      this.changeTags(withTags(this.state.tags, carried.tags), cause);
      this.changeUserData({ ...carried.userData, ...this.state.userData }, cause);
    }
  }

  /** Change what the device reports about itself (device.update). */
  update(properties: DeviceUpdatableProperties, cause: CausedBy): void {
    this.changeProperties(DEVICE_UPDATABLE_PROPERTY_KEYS, properties, cause, {});
  }

  /** Deactivate; the device keeps its user, tags and data. An inactive device stays as it is. */
  deactivate(cause: CausedBy): void {
    if (!this.isActive) return;
    const payload: DeviceDeactivatedPayload = { userID: this.state.userId };
    this.record(DEVICE_DEACTIVATED, payload, cause, (state) => ({ ...state, status: 'inactive' }));
  }

  /**
   * Attach to a user (moving from the previous one); the same user with the same name changes
   * nothing. The event carries the device's whole state, sealed for the user it now belongs to
   * (what was sealed for the previous user must not be needed to rebuild it: ADR 0009).
   */
  assignUser(user: DeviceUser, cause: CausedBy): void {
    if (user.userId === this.state.userId && user.userName === this.state.userName) return;
    const payload: DeviceUserAssignedPayload = {
      userID: user.userId,
      userName: user.userName,
      previousUserID: this.state.userId,
      state: this.channelState(),
    };
    this.record(DEVICE_USER_ASSIGNED, payload, cause, (state) => ({ ...state, userId: user.userId, userName: user.userName }));
  }

  /** Detach from the user, with the device's whole state (anonymous now); an anonymous device stays as it is. */
  removeUser(cause: CausedBy): void {
    const previousUserId = this.state.userId;
    if (previousUserId === null) return;
    const payload: DeviceUserRemovedPayload = { previousUserID: previousUserId, state: this.channelState() };
    this.record(DEVICE_USER_REMOVED, payload, cause, (state) => ({ ...state, userId: null, userName: null }));
  }

  /**
   * Its user was erased: the device stays registered (active or not, with its platform, transport,
   * tags and other properties) but belongs to nobody and loses what it held about the user — user
   * name, device-level user data and location — with one device.user-erased. An anonymous device
   * stays as it is.
   */
  eraseUser(cause: CausedBy): void {
    if (this.state.userId === null) return;
    const payload: DeviceUserErasedPayload = { userID: null };
    this.record(DEVICE_USER_ERASED, payload, cause, (state) => ({
      ...state,
      userId: null,
      userName: null,
      userData: {},
      properties: withoutKeys(state.properties, LOCATION_PROPERTY_KEYS),
    }));
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

  /** Override device-level user data: given fields replace their values, null clears, the others stay. */
  overrideUserData(changes: UserDataMap, cause: CausedBy): void {
    this.changeUserData(overrideUserData(this.state.userData, changes), cause);
  }

  /**
   * This deviceID was replaced by `newDeviceId` (the same device with a new push token): it hands
   * over its user, tags and user data and stays behind inactive and empty, with one
   * device.replaced event. Undefined when it was replaced before (nothing left to hand over).
   */
  replaceBy(newDeviceId: string, cause: CausedBy): CarriedOver | undefined {
    if (this.state.replacedBy !== null) return undefined;
    const { userId, userName, tags, userData } = this.state;
    const payload: DeviceReplacedPayload = { replacedBy: newDeviceId, previousUserID: userId };
    this.record(DEVICE_REPLACED, payload, cause, (state) => ({
      ...state,
      status: 'inactive',
      replacedBy: newDeviceId,
      userId: null,
      userName: null,
      tags: [],
      userData: {},
    }));
    return { fromDeviceId: this.state.deviceId, user: userId === null ? null : { userId, userName }, tags, userData };
  }

  get isActive(): boolean {
    return this.state.status === 'active';
  }

  get user(): DeviceUser | null {
    return this.state.userId === null ? null : { userId: this.state.userId, userName: this.state.userName };
  }

  get snapshot(): Readonly<DeviceState> {
    return this.state;
  }

  /** Events recorded since restore/register, in order, each with its aggregate version. */
  get events(): readonly Envelope[] {
    return this.pending;
  }

  /** Everything the device is but its user (which an owner change does not touch), as an owner change carries it. */
  private channelState(): DeviceChannelState {
    const { platform, transport, properties, tags, userData, status } = this.state;
    return { platform, transport, properties: { ...properties }, tags: [...tags], userData: { ...userData }, status };
  }

  /** The whole state after a (re)registration, as one device.registered event. */
  private recordRegistration(registration: Registration, cause: CausedBy): void {
    const { carried } = registration;
    const properties = mergeProperties(this.state.properties, DEVICE_PROPERTY_KEYS, registration.properties).next;
    const user = this.userAfter(registration);
    const tags = withTags(this.state.tags, carried?.tags ?? []);
    const userData = { ...carried?.userData, ...this.state.userData };
    const platform = registration.platform;
    const transport = registration.transport ?? this.state.transport;
    const payload: DeviceRegisteredPayload = {
      platform,
      transport,
      properties,
      userID: user?.userId ?? null,
      userName: user?.userName ?? null,
      tags,
      userData,
      oldDeviceID: carried?.fromDeviceId ?? null,
    };
    this.record(DEVICE_REGISTERED, payload, cause, (state) => ({
      ...state,
      platform,
      transport,
      properties,
      userId: user?.userId ?? null,
      userName: user?.userName ?? null,
      tags,
      userData,
      status: 'active',
      replacedBy: null,
    }));
  }

  /** Explicit user of the registration, else the device's own, else the one carried over. */
  private userAfter(registration: Registration): DeviceUser | null {
    if (registration.user !== undefined) return registration.user;
    return this.user ?? registration.carried?.user ?? null;
  }

  private changeProperties(
    keys: readonly DevicePropertyKey[],
    given: DeviceProperties,
    cause: CausedBy,
    channel: { platform?: DevicePlatform; transport?: DeviceTransport },
  ): void {
    const { next, changed } = mergeProperties(this.state.properties, keys, given);
    const payload: DeviceUpdatedPayload = { properties: changed };
    if (channel.platform !== undefined && channel.platform !== this.state.platform) payload.platform = channel.platform;
    if (channel.transport !== undefined && channel.transport !== this.state.transport) payload.transport = channel.transport;
    if (Object.keys(changed).length === 0 && payload.platform === undefined && payload.transport === undefined) return;
    this.record(DEVICE_UPDATED, payload, cause, (state) => ({
      ...state,
      properties: next,
      platform: payload.platform ?? state.platform,
      transport: payload.transport ?? state.transport,
    }));
  }

  private changeTags(tags: string[], cause: CausedBy): void {
    if (sameTags(tags, this.state.tags)) return;
    const payload: DeviceTagsChangedPayload = { tags };
    this.record(DEVICE_TAGS_CHANGED, payload, cause, (state) => ({ ...state, tags }));
  }

  private changeUserData(userData: DeviceUserData, cause: CausedBy): void {
    if (sameUserData(userData, this.state.userData)) return;
    const payload: DeviceUserDataChangedPayload = { userData };
    this.record(DEVICE_USER_DATA_CHANGED, payload, cause, (state) => ({ ...state, userData }));
  }

  /**
   * Apply a change and record its event at the next version. The event's subject — whose personal
   * data it holds, sealed with that user's key — is the device's user after the change (none when
   * the device is anonymous then).
   */
  private record<P>(type: string, payload: P, cause: CausedBy, apply: (state: DeviceState) => DeviceState): void {
    const version = this.state.version + 1;
    this.state = { ...apply(this.state), version };
    this.pending.push(
      newEnvelope({
        type,
        application: this.state.application,
        aggregateId: this.state.deviceId,
        aggregateVersion: version,
        correlationId: cause.correlationId,
        causationId: cause.id,
        subject: this.state.userId,
        payload,
      }),
    );
  }
}

/**
 * Apply given properties (only the allowed keys; null clears) to the current ones: the new
 * properties and what changed (a cleared property as null).
 */
function mergeProperties(
  current: DevicePropertyValues,
  keys: readonly DevicePropertyKey[],
  given: DeviceProperties,
): { next: DevicePropertyValues; changed: DeviceProperties } {
  const next: Record<string, unknown> = { ...current };
  const changed: Record<string, unknown> = {};
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(given, key) || given[key] === undefined) continue;
    const value = key === 'location' ? normalizeLocation(given[key]) : key === 'dnd' ? normalizeDnd(given[key]) : given[key];
    if (sameValue(value, next[key] ?? null)) continue;
    changed[key] = value;
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return { next: next as DevicePropertyValues, changed: changed as DeviceProperties };
}

function withoutKeys(properties: DevicePropertyValues, keys: readonly DevicePropertyKey[]): DevicePropertyValues {
  const rest: DevicePropertyValues = { ...properties };
  for (const key of keys) delete rest[key];
  return rest;
}

/** A location keeps only what the contract defines, in one key order (so equal ones compare equal). */
function normalizeLocation(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const { coordinates } = value as { coordinates: [number, number] };
  return { type: 'Point', coordinates: [coordinates[0], coordinates[1]] };
}

/** A Do Not Disturb period keeps only `start` and `end`, in that order (so equal ones compare equal). */
function normalizeDnd(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const { start, end } = value as { start: string; end: string };
  return { start, end };
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
