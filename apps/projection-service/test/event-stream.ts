import { AnyEvent, EventType, Message, Topics, newEnvelope } from '@omni/contracts';

/**
 * Builds valid events the way the services emit them: per aggregate, versions 1, 2, 3… and a clock
 * that only moves forward. Tests feed them to the projection (on the broker, or to the handlers).
 */
export class EventStream {
  private readonly versions = new Map<string, number>();
  private clock: number;

  constructor(
    readonly application: string,
    start = Date.parse('2025-03-01T09:00:00.000Z'),
  ) {
    this.clock = start;
  }

  userRegistered(userId: string, userName: string | null) {
    return this.event('user.registered', userId, { userName });
  }

  userRenamed(userId: string, userName: string | null) {
    return this.event('user.renamed', userId, { userName });
  }

  userDataChanged(userId: string, userData: Record<string, string | number | boolean>) {
    return this.event('user.user-data-changed', userId, { userData });
  }

  deviceRegistered(deviceId: string, options: { userID?: string | null; userName?: string | null; tags?: string[]; language?: string } = {}) {
    return this.event('device.registered', deviceId, {
      platform: 'iOS',
      transport: 'APNS',
      properties: { language: options.language ?? 'en', osVersion: '17.4' },
      userID: options.userID ?? null,
      userName: options.userName ?? null,
      tags: options.tags ?? [],
      userData: {},
      oldDeviceID: null,
    });
  }

  deviceUpdated(deviceId: string, language: string) {
    return this.event('device.updated', deviceId, { properties: { language } });
  }

  deviceUserAssigned(deviceId: string, userID: string, userName: string | null, previousUserID: string | null) {
    return this.event('device.user-assigned', deviceId, { userID, userName, previousUserID });
  }

  deviceUserRemoved(deviceId: string, previousUserID: string) {
    return this.event('device.user-removed', deviceId, { previousUserID });
  }

  deviceTagsChanged(deviceId: string, tags: string[]) {
    return this.event('device.tags-changed', deviceId, { tags });
  }

  deviceDeactivated(deviceId: string, userID: string | null) {
    return this.event('device.deactivated', deviceId, { userID });
  }

  recipientRegistered(
    recipientId: string,
    options: { channel: 'email' | 'sms'; address: string; userID?: string | null; userName?: string | null; verification?: 'none' | 'pending' | 'verified' },
  ) {
    const verification = options.verification ?? 'none';
    return this.event('recipient.registered', recipientId, {
      channel: options.channel,
      address: options.address,
      properties: { language: 'en' },
      userID: options.userID ?? null,
      userName: options.userName ?? null,
      tags: [],
      userData: {},
      status: verification === 'pending' ? 'inactive' : 'active',
      verification,
    });
  }

  recipientUserAssigned(recipientId: string, userID: string, userName: string | null, previousUserID: string | null) {
    return this.event('recipient.user-assigned', recipientId, { userID, userName, previousUserID });
  }

  recipientUserRemoved(recipientId: string, previousUserID: string) {
    return this.event('recipient.user-removed', recipientId, { previousUserID });
  }

  recipientTagsChanged(recipientId: string, tags: string[]) {
    return this.event('recipient.tags-changed', recipientId, { tags });
  }

  recipientVerificationRequested(recipientId: string, channel: 'email' | 'sms', address: string) {
    return this.event('recipient.verification-requested', recipientId, {
      channel,
      address,
      token: 'token-not-in-read-model',
      expiresAt: new Date(this.clock + 86_400_000).toISOString(),
    });
  }

  recipientVerified(recipientId: string, userID: string | null) {
    return this.event('recipient.verified', recipientId, { userID });
  }

  recipientDeactivated(recipientId: string, userID: string | null) {
    return this.event('recipient.deactivated', recipientId, { userID });
  }

  event<T extends EventType>(type: T, aggregateId: string, payload: Message<T>['payload']): AnyEvent {
    const key = `${type.split('.')[0]}:${aggregateId}`;
    const version = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, version);
    this.clock += 1_000;
    return newEnvelope({ type, application: this.application, aggregateId, aggregateVersion: version, payload, time: new Date(this.clock) }) as AnyEvent;
  }
}

/** The topic an event is published on. */
export function topicOf(event: AnyEvent): string {
  const aggregate = event.type.split('.')[0];
  if (aggregate === 'user') return Topics.profileEvents;
  if (aggregate === 'device') return Topics.deviceEvents;
  return Topics.recipientEvents;
}

/** Every event type the fold applies to a given entity kind. */
export const ENTITY_OF_TYPE = (type: string): 'user' | 'device' | 'recipient' => type.split('.')[0] as 'user' | 'device' | 'recipient';

/**
 * A realistic history for `users` users of one application: users registered and renamed, user
 * data, devices registered anonymous then assigned (some moved to another user, some removed or
 * deactivated), tags, email contacts and SMS numbers with verification. Deterministic (seeded).
 */
export function realisticHistory(application: string, users: number, seed = 1): AnyEvent[] {
  const stream = new EventStream(application);
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const events: AnyEvent[] = [];
  const userIds = Array.from({ length: users }, (_, i) => `user-${i}`);
  for (const userId of userIds) {
    events.push(stream.userRegistered(userId, random() < 0.8 ? `Name ${userId}` : null));
    if (random() < 0.5) events.push(stream.userDataChanged(userId, { firstName: `F${userId}`, age: Math.floor(random() * 80) }));
    if (random() < 0.3) events.push(stream.userRenamed(userId, `Renamed ${userId}`));
  }
  for (let d = 0; d < users * 2; d++) {
    const deviceId = `device-${d}`;
    let owner: string | null = null;
    events.push(stream.deviceRegistered(deviceId, { tags: random() < 0.5 ? ['beta'] : [] }));
    const steps = 1 + Math.floor(random() * 4);
    for (let s = 0; s < steps; s++) {
      const roll = random();
      if (roll < 0.45) {
        const next = pick(userIds);
        events.push(stream.deviceUserAssigned(deviceId, next, `Device name of ${next}`, owner));
        owner = next;
      } else if (roll < 0.6 && owner) {
        events.push(stream.deviceUserRemoved(deviceId, owner));
        owner = null;
      } else if (roll < 0.8) {
        events.push(stream.deviceTagsChanged(deviceId, pick([['vip'], ['vip', 'news'], []])));
      } else if (roll < 0.9) {
        events.push(stream.deviceUpdated(deviceId, pick(['nl', 'pt', 'de'])));
      } else {
        events.push(stream.deviceDeactivated(deviceId, owner));
      }
    }
  }
  for (let r = 0; r < users; r++) {
    const recipientId = `recipient-${r}`;
    const channel = random() < 0.5 ? 'email' : 'sms';
    const address = channel === 'email' ? `person${r}@example.com` : `+3161234${String(r).padStart(4, '0')}`;
    const owner = pick(userIds);
    const verification = random() < 0.4 ? 'pending' : 'none';
    events.push(stream.recipientRegistered(recipientId, { channel, address, userID: owner, userName: null, verification }));
    if (verification === 'pending' && random() < 0.6) events.push(stream.recipientVerified(recipientId, owner));
    if (random() < 0.4) events.push(stream.recipientTagsChanged(recipientId, ['newsletter']));
    if (random() < 0.2) events.push(stream.recipientUserAssigned(recipientId, pick(userIds), null, owner));
    if (random() < 0.1) events.push(stream.recipientDeactivated(recipientId, owner));
  }
  return events;
}

/**
 * One command of a random program run against ServiceModel: what a client asks of the profile-,
 * device- and recipient-services. Indices pick a user, device or contact (modulo how many there
 * are); a command the service would refuse (an unknown or inactive channel, an erased user) or
 * that changes nothing emits nothing, as in the services.
 */
export type Step =
  | { kind: 'user.update'; user: number; name: string | null }
  | { kind: 'user.data'; user: number; age: number | null }
  | { kind: 'user.deactivate'; user: number }
  | { kind: 'user.erase'; user: number }
  | { kind: 'device.register'; device: number; user: number | null | 'keep'; name: string | null; language: string; located: boolean }
  | { kind: 'device.update'; device: number; language: string; located: boolean }
  | { kind: 'device.assign'; device: number; user: number; name: string | null }
  | { kind: 'device.remove'; device: number }
  | { kind: 'device.tags'; device: number; tags: string[] }
  | { kind: 'device.data'; device: number; age: number | null }
  | { kind: 'device.deactivate'; device: number }
  | { kind: 'device.replace'; device: number }
  | { kind: 'recipient.register'; recipient: number; user: number | null | 'keep'; verify: boolean }
  | { kind: 'recipient.update'; recipient: number; language: string | null }
  | { kind: 'recipient.assign'; recipient: number; user: number; name: string | null }
  | { kind: 'recipient.remove'; recipient: number }
  | { kind: 'recipient.tags'; recipient: number; tags: string[] }
  | { kind: 'recipient.data'; recipient: number; age: number | null }
  | { kind: 'recipient.request'; recipient: number }
  | { kind: 'recipient.confirm'; recipient: number }
  | { kind: 'recipient.deactivate'; recipient: number };

type Data = Record<string, string | number | boolean>;

interface ModelUser {
  id: string;
  registered: boolean;
  version: number;
  name: string | null;
  status: 'active' | 'inactive';
  data: Data;
  /** Erased: the gateway refuses every command naming the user from then on (the userID is not reused). */
  erased: boolean;
}

interface ModelDevice {
  id: string;
  version: number;
  user: { id: string; name: string | null } | null;
  properties: Record<string, unknown>;
  tags: string[];
  data: Data;
  status: 'active' | 'inactive';
  replaced: boolean;
}

interface ModelRecipient {
  id: string;
  address: string;
  version: number;
  user: { id: string; name: string | null } | null;
  properties: Record<string, unknown>;
  tags: string[];
  data: Data;
  status: 'active' | 'inactive' | 'erased';
  verification: 'none' | 'pending' | 'verified';
  /** When it began: its first registration, or the one anew after it was erased. */
  createdAt: string | null;
}

const LOCATION_KEYS = ['location', 'locationAccuracy', 'altitude'];

/**
 * The three command services in memory, following their domain rules (apps/*-service/src/domain):
 * every change records its event at the aggregate's next version with the subject the service
 * gives it (the user of a user event, a channel's user after the change), and a change that changes
 * nothing records none. The events come out in production order: applied in that order, they are
 * the sequential history every interleaving must converge to. Unsealed: EventSealer seals them.
 */
export class ServiceModel {
  readonly events: AnyEvent[] = [];
  private readonly users: ModelUser[];
  private readonly devices: ModelDevice[] = [];
  private readonly recipients: ModelRecipient[] = [];
  /** Users some event was sealed for: they have a key, so their erasure emits user.erased. */
  private readonly keyed = new Set<string>();
  private clock = Date.parse('2025-03-01T09:00:00.000Z');

  constructor(
    readonly application: string,
    userIds: readonly string[],
    deviceIds: readonly string[],
    recipientIds: readonly string[],
  ) {
    this.users = userIds.map((id) => ({ id, registered: false, version: 0, name: null, status: 'active', data: {}, erased: false }));
    for (const id of deviceIds) this.devices.push(newDevice(id));
    for (const id of recipientIds) {
      this.recipients.push({
        id,
        address: `${id}@example.com`,
        version: 0,
        user: null,
        properties: {},
        tags: [],
        data: {},
        status: 'inactive',
        verification: 'none',
        createdAt: null,
      });
    }
  }

  run(steps: readonly Step[]): AnyEvent[] {
    for (const step of steps) this.step(step);
    return this.events;
  }

  step(step: Step): void {
    if (step.kind.startsWith('user.')) return this.userStep(step);
    if (step.kind.startsWith('device.')) return this.deviceStep(step);
    return this.recipientStep(step);
  }

  private userOf(index: number | null | 'keep'): ModelUser | null | 'keep' | 'refused' {
    if (index === null || index === 'keep') return index;
    const user = this.users[index % this.users.length];
    return user.erased ? 'refused' : user;
  }

  private userStep(step: Step): void {
    if (!step.kind.startsWith('user.') || !('user' in step) || typeof step.user !== 'number') return;
    this.userCommand(step as Extract<Step, { kind: `user.${string}` }>);
  }

  private userCommand(step: Extract<Step, { kind: `user.${string}` }>): void {
    const user = this.userOf(step.user);
    if (user === 'refused' || user === null || user === 'keep') return;
    switch (step.kind) {
      case 'user.update':
        if (!user.registered) {
          user.registered = true;
          user.name = step.name;
          this.userEvent(user, 'user.registered', { userName: step.name });
        } else if (user.name !== step.name) {
          user.name = step.name;
          this.userEvent(user, 'user.renamed', { userName: step.name });
        }
        return;
      case 'user.data': {
        const data: Data = step.age === null ? {} : { age: step.age };
        if (!user.registered) {
          user.registered = true;
          this.userEvent(user, 'user.registered', { userName: null });
        }
        if (JSON.stringify(data) === JSON.stringify(user.data)) return;
        user.data = data;
        this.userEvent(user, 'user.user-data-changed', { userData: data });
        return;
      }
      case 'user.deactivate':
        if (!user.registered || user.status === 'inactive') return;
        user.status = 'inactive';
        this.userEvent(user, 'user.deactivated', { status: 'inactive' });
        return;
      case 'user.erase':
        return this.erase(user);
    }
  }

  /** DELETE /user/foruserid/{userID}/remove: the device-, recipient- and profile-services' parts. */
  private erase(user: ModelUser): void {
    for (const device of this.devices) {
      if (device.user?.id !== user.id) continue;
      device.user = null;
      device.data = {};
      device.properties = withoutLocation(device.properties);
      this.channelEvent(device, 'device.user-erased', { userID: null });
    }
    for (const recipient of this.recipients) {
      if (recipient.user?.id !== user.id || recipient.status === 'erased') continue;
      Object.assign(recipient, { user: null, properties: {}, tags: [], data: {}, status: 'erased', verification: 'none', createdAt: null });
      this.channelEvent(recipient, 'recipient.erased', { status: 'erased' });
    }
    user.erased = true;
    // A user without a key never had personal data sealed: nothing to shred, no event.
    if (!this.keyed.has(user.id)) return;
    this.userEvent(user, 'user.erased', { status: 'erased' });
  }

  private deviceStep(step: Step): void {
    if (!('device' in step)) return;
    const device = this.devices[step.device % this.devices.length];
    const known = device.version > 0;
    if (step.kind === 'device.register') {
      const target = this.userOf(step.user);
      if (target === 'refused') return;
      const user = target === 'keep' ? device.user : target && { id: target.id, name: step.name };
      const properties: Record<string, unknown> = { ...device.properties, language: step.language, ...(step.located ? LOCATED : {}) };
      if (!known || device.status === 'inactive') {
        Object.assign(device, { user, properties, status: 'active', replaced: false });
        this.registered(device, null);
        return;
      }
      this.changeProperties(device, { language: step.language, ...(step.located ? LOCATED : {}) });
      if (user) this.assign(device, 'device', user);
      else this.remove(device, 'device');
      return;
    }
    if (!known) return;
    if (step.kind === 'device.deactivate') {
      if (device.status !== 'active') return;
      device.status = 'inactive';
      this.channelEvent(device, 'device.deactivated', { userID: device.user?.id ?? null });
      return;
    }
    if (device.status !== 'active') return;
    switch (step.kind) {
      case 'device.update':
        return this.changeProperties(device, { language: step.language, ...(step.located ? LOCATED : { location: null, locationAccuracy: null }) });
      case 'device.assign': {
        const target = this.userOf(step.user);
        if (target === 'refused' || target === null || target === 'keep') return;
        return this.assign(device, 'device', { id: target.id, name: step.name });
      }
      case 'device.remove':
        return this.remove(device, 'device');
      case 'device.tags':
        return this.changeTags(device, 'device', step.tags);
      case 'device.data': {
        // Only an anonymous device has data of its own (a user's device: the user's data).
        if (device.user) return;
        const data: Data = step.age === null ? {} : { age: step.age };
        if (JSON.stringify(data) === JSON.stringify(device.data)) return;
        device.data = data;
        this.channelEvent(device, 'device.user-data-changed', { userData: data });
        return;
      }
      case 'device.replace': {
        if (device.replaced) return;
        // The same device registers with a new push token: the old id hands its user, tags and data over.
        const successor = newDevice(`${device.id}x`);
        if (this.devices.some((known) => known.id === successor.id)) return;
        const carried = { user: device.user, tags: device.tags, data: device.data };
        const previous = device.user?.id ?? null;
        Object.assign(device, { status: 'inactive', replaced: true, user: null, tags: [], data: {} });
        this.channelEvent(device, 'device.replaced', { replacedBy: successor.id, previousUserID: previous });
        Object.assign(successor, { user: carried.user, tags: carried.tags, data: carried.data, properties: { language: 'en' }, status: 'active' });
        this.devices.push(successor);
        this.registered(successor, device.id);
        return;
      }
      default:
        return;
    }
  }

  private registered(device: ModelDevice, oldDeviceID: string | null): void {
    this.channelEvent(device, 'device.registered', {
      platform: 'iOS',
      transport: 'APNS',
      properties: device.properties,
      userID: device.user?.id ?? null,
      userName: device.user?.name ?? null,
      tags: device.tags,
      userData: device.data,
      oldDeviceID,
    });
  }

  private changeProperties(device: ModelDevice, given: Record<string, unknown>): void {
    const changed: Record<string, unknown> = {};
    const next = { ...device.properties };
    for (const [key, value] of Object.entries(given)) {
      if (JSON.stringify(value) === JSON.stringify(next[key] ?? null)) continue;
      changed[key] = value;
      if (value === null) delete next[key];
      else next[key] = value;
    }
    if (Object.keys(changed).length === 0) return;
    device.properties = next;
    this.channelEvent(device, 'device.updated', { properties: changed });
  }

  private recipientStep(step: Step): void {
    if (!('recipient' in step)) return;
    const recipient = this.recipients[step.recipient % this.recipients.length];
    if (step.kind === 'recipient.register') {
      const target = this.userOf(step.user);
      if (target === 'refused') return;
      const user = target === 'keep' ? (recipient.status === 'erased' ? null : recipient.user) : target && { id: target.id, name: null };
      const deactivated = recipient.status === 'inactive' && recipient.verification !== 'pending';
      if (recipient.version === 0 || deactivated || recipient.status === 'erased') {
        // First seen, deactivated, or erased (registered anew): its whole state, then the verification request.
        const verification = step.verify ? 'pending' : recipient.verification === 'verified' ? 'verified' : 'none';
        // A deactivated contact that comes back keeps when it began; a new one begins with this event.
        const createdAt = deactivated && recipient.version > 0 ? recipient.createdAt : this.nextTime();
        Object.assign(recipient, { user, status: step.verify ? 'inactive' : 'active', verification, createdAt });
        this.channelEvent(recipient, 'recipient.registered', {
          channel: 'email',
          address: recipient.address,
          properties: recipient.properties,
          userID: user?.id ?? null,
          userName: user?.name ?? null,
          tags: recipient.tags,
          userData: recipient.data,
          status: recipient.status,
          verification,
          ...(createdAt ? { createdAt } : {}),
        });
        if (step.verify) this.requestVerification(recipient);
        return;
      }
      if (user) this.assign(recipient, 'recipient', user);
      else this.remove(recipient, 'recipient');
      if (step.verify && recipient.verification === 'pending') this.requestVerification(recipient);
      return;
    }
    // Deactivated, erased or never registered: to every other command the contact does not exist.
    const present = recipient.version > 0 && recipient.status !== 'erased' && !(recipient.status === 'inactive' && recipient.verification !== 'pending');
    if (!present) return;
    switch (step.kind) {
      case 'recipient.update': {
        const before = recipient.properties.language ?? null;
        if (before === step.language) return;
        recipient.properties = step.language === null ? {} : { language: step.language };
        this.channelEvent(recipient, 'recipient.updated', { properties: { language: step.language } });
        return;
      }
      case 'recipient.assign': {
        const target = this.userOf(step.user);
        if (target === 'refused' || target === null || target === 'keep') return;
        return this.assign(recipient, 'recipient', { id: target.id, name: step.name });
      }
      case 'recipient.remove':
        return this.remove(recipient, 'recipient');
      case 'recipient.tags':
        return this.changeTags(recipient, 'recipient', step.tags);
      case 'recipient.data': {
        const data: Data = step.age === null ? {} : { age: step.age };
        if (JSON.stringify(data) === JSON.stringify(recipient.data)) return;
        recipient.data = data;
        this.channelEvent(recipient, 'recipient.user-data-changed', { userData: data });
        return;
      }
      case 'recipient.request':
        if (recipient.verification === 'pending') this.requestVerification(recipient);
        return;
      case 'recipient.confirm':
        if (recipient.verification !== 'pending') return;
        Object.assign(recipient, { status: 'active', verification: 'verified' });
        this.channelEvent(recipient, 'recipient.verified', { userID: recipient.user?.id ?? null });
        return;
      case 'recipient.deactivate':
        recipient.status = 'inactive';
        if (recipient.verification === 'pending') recipient.verification = 'none';
        this.channelEvent(recipient, 'recipient.deactivated', { userID: recipient.user?.id ?? null });
        return;
    }
  }

  private requestVerification(recipient: ModelRecipient): void {
    recipient.verification = 'pending';
    this.channelEvent(recipient, 'recipient.verification-requested', {
      channel: 'email',
      address: recipient.address,
      token: 'token-not-in-read-model',
      expiresAt: new Date(this.clock + 86_400_000).toISOString(),
    });
  }

  /** An owner change carries the channel's whole state (but its user), sealed for the new owner. */
  private assign(channel: ModelDevice | ModelRecipient, kind: 'device' | 'recipient', user: { id: string; name: string | null }): void {
    if (channel.user?.id === user.id && channel.user.name === user.name) return;
    const previousUserID = channel.user?.id ?? null;
    channel.user = user;
    this.channelEvent(channel, `${kind}.user-assigned`, { userID: user.id, userName: user.name, previousUserID, state: channelState(channel) });
  }

  private remove(channel: ModelDevice | ModelRecipient, kind: 'device' | 'recipient'): void {
    if (!channel.user) return;
    const previousUserID = channel.user.id;
    channel.user = null;
    this.channelEvent(channel, `${kind}.user-removed`, { previousUserID, state: channelState(channel) });
  }

  private changeTags(channel: ModelDevice | ModelRecipient, kind: 'device' | 'recipient', tags: string[]): void {
    if (JSON.stringify(tags) === JSON.stringify(channel.tags)) return;
    channel.tags = tags;
    this.channelEvent(channel, `${kind}.tags-changed`, { tags });
  }

  private userEvent(user: ModelUser, type: string, payload: unknown): void {
    user.version += 1;
    this.emit(type, user.id, user.version, user.id, payload);
  }

  /** A channel's event: its subject is the channel's user after the change; a previousUserID is sealed with its own user's key. */
  private channelEvent(channel: ModelDevice | ModelRecipient, type: string, payload: Record<string, unknown>): void {
    channel.version += 1;
    if (typeof payload.previousUserID === 'string') this.keyed.add(payload.previousUserID);
    this.emit(type, channel.id, channel.version, channel.user?.id ?? null, structuredClone(payload));
  }

  /** The time of the next event. */
  private nextTime(): string {
    return new Date(this.clock + 1_000).toISOString();
  }

  private emit(type: string, aggregateId: string, version: number, subject: string | null, payload: unknown): void {
    if (subject) this.keyed.add(subject);
    this.clock += 1_000;
    this.events.push(
      newEnvelope({ type, application: this.application, aggregateId, aggregateVersion: version, subject, payload, time: new Date(this.clock) }) as AnyEvent,
    );
  }
}

const LOCATED = { location: { type: 'Point', coordinates: [4.9, 52.37] }, locationAccuracy: 10 };

/** What an owner change carries: everything the channel is but its user, as the services build it. */
function channelState(channel: ModelDevice | ModelRecipient): Record<string, unknown> {
  const common = { properties: { ...channel.properties }, tags: [...channel.tags], userData: { ...channel.data }, status: channel.status };
  if (!('address' in channel)) return { platform: 'iOS', transport: 'APNS', ...common };
  return {
    channel: 'email',
    address: channel.address,
    ...common,
    verification: channel.verification,
    ...(channel.createdAt ? { createdAt: channel.createdAt } : {}),
  };
}

function newDevice(id: string): ModelDevice {
  return { id, version: 0, user: null, properties: {}, tags: [], data: {}, status: 'inactive', replaced: false };
}

function withoutLocation(properties: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(properties).filter(([key]) => !LOCATION_KEYS.includes(key)));
}
