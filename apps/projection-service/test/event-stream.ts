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
