import { randomBytes, randomUUID } from 'node:crypto';
import {
  DEVICE_REGISTERED,
  DEVICE_TAGS_CHANGED,
  DEVICE_USER_ASSIGNED,
  DEVICE_USER_REMOVED,
  Envelope,
  USER_RENAMED,
  decodeEnvelope,
  isSealed,
  newEnvelope,
} from '@omni/contracts';
import { SubjectKey } from './cipher';
import { EventOpener, EventSealer } from './event-sealing';
import { Queryable, SubjectKeys } from './subject-keys';

/** The key table in memory: the SQL is exercised by the integration tests. */
class MemoryKeys extends SubjectKeys {
  readonly rows = new Map<string, SubjectKey & { userId: string }>();

  override forSubject(_q: Queryable, application: string, userId: string, _options?: { erasing?: boolean }): Promise<SubjectKey> {
    const found = [...this.rows.values()].find((row) => row.application === application && row.userId === userId);
    if (found) return Promise.resolve(found);
    const row = { keyId: randomUUID(), application, userId, key: randomBytes(32) };
    this.rows.set(row.keyId, row);
    return Promise.resolve(row);
  }

  override find(_q: Queryable, application: string, userId: string): Promise<SubjectKey | undefined> {
    return Promise.resolve([...this.rows.values()].find((row) => row.application === application && row.userId === userId));
  }

  override byId(_q: Queryable, keyId: string): Promise<SubjectKey | undefined> {
    return Promise.resolve(this.rows.get(keyId));
  }

  override delete(_q: Queryable, keyId: string): Promise<void> {
    this.rows.delete(keyId);
    return Promise.resolve();
  }

  erase(application: string, userId: string): void {
    for (const [keyId, row] of this.rows) if (row.application === application && row.userId === userId) this.rows.delete(keyId);
  }
}

const q: Queryable = { query: () => Promise.reject(new Error('no SQL in this test')) };
const cause = { correlationId: randomUUID(), causationId: randomUUID() };

function deviceRegistered(application: string, userID: string | null): Envelope {
  return newEnvelope({
    type: DEVICE_REGISTERED,
    application,
    aggregateId: 'device-1',
    aggregateVersion: 1,
    subject: userID,
    ...cause,
    payload: {
      platform: 'iOS',
      transport: 'APNS',
      properties: { language: 'en', location: { type: 'Point', coordinates: [4.89, 52.37] }, altitude: 3 },
      userID,
      userName: userID ? 'John Doe' : null,
      tags: ['vip'],
      userData: userID ? { firstName: 'John' } : {},
      oldDeviceID: null,
    },
  });
}

describe('sealing and opening events', () => {
  let keys: MemoryKeys;
  let sealer: EventSealer;
  let opener: EventOpener;
  const open = async (event: Envelope) => opener.open(q, JSON.parse(JSON.stringify(event)) as Record<string, unknown>);

  beforeEach(() => {
    keys = new MemoryKeys();
    sealer = new EventSealer(keys);
    opener = new EventOpener(keys);
  });

  it('seals every personal field and the subject, and nothing else; opening restores the event exactly', async () => {
    const event = deviceRegistered('app-a', 'user-1');
    const [sealed] = await sealer.seal(q, [event]);
    const wire = JSON.stringify(sealed);

    for (const personal of ['user-1', 'John Doe', 'John', '52.37', '4.89']) expect(wire).not.toContain(personal);
    const payload = sealed.payload as Record<string, unknown> & { properties: Record<string, unknown> };
    expect(isSealed(sealed.subject)).toBe(true);
    expect(isSealed(payload.userID) && isSealed(payload.userName) && isSealed(payload.userData)).toBe(true);
    expect(isSealed(payload.properties.location) && isSealed(payload.properties.altitude)).toBe(true);
    expect(payload.properties.language).toBe('en');
    expect(payload.tags).toEqual(['vip']);
    expect(sealed.aggregateId).toBe('device-1');

    const opened = await open(sealed);
    expect(opened).toEqual(JSON.parse(JSON.stringify(event)));
    expect(() => decodeEnvelope(opened!)).not.toThrow();
  });

  it('leaves an anonymous channel\'s event as it is', async () => {
    const event = deviceRegistered('app-a', null);
    const [sealed] = await sealer.seal(q, [event]);
    expect(sealed).toEqual(event);
    expect(keys.rows.size).toBe(0);
    expect(await open(sealed)).toEqual(JSON.parse(JSON.stringify(event)));
  });

  it('after erasure, a field opens to its rule (null, {}, absent) and the event still decodes', async () => {
    const [sealed] = await sealer.seal(q, [deviceRegistered('app-a', 'user-1')]);
    keys.erase('app-a', 'user-1');

    const opened = (await open(sealed)) as unknown as Envelope<string, Record<string, unknown> & { properties: Record<string, unknown> }>;
    expect(opened.subject).toBeUndefined();
    expect(opened.payload).toMatchObject({ userID: null, userName: null, userData: {}, tags: ['vip'] });
    expect(opened.payload.properties).toEqual({ language: 'en' });
    expect(() => decodeEnvelope(opened as unknown as Record<string, unknown>)).not.toThrow();
  });

  it('after erasure, an event that only meant the user is dropped', async () => {
    const assigned = newEnvelope({
      type: DEVICE_USER_ASSIGNED,
      application: 'app-a',
      aggregateId: 'device-1',
      aggregateVersion: 2,
      subject: 'user-1',
      ...cause,
      payload: { userID: 'user-1', userName: 'John Doe', previousUserID: null },
    });
    const [sealed] = await sealer.seal(q, [assigned]);
    keys.erase('app-a', 'user-1');
    expect(await open(sealed)).toBeUndefined();
  });

  it('seals a userID a channel moved away from with that user\'s own key', async () => {
    const removed = newEnvelope({
      type: DEVICE_USER_REMOVED,
      application: 'app-a',
      aggregateId: 'device-1',
      aggregateVersion: 3,
      ...cause,
      payload: { previousUserID: 'user-1' },
    });
    const moved = newEnvelope({
      type: DEVICE_USER_ASSIGNED,
      application: 'app-a',
      aggregateId: 'device-2',
      aggregateVersion: 2,
      subject: 'user-2',
      ...cause,
      payload: { userID: 'user-2', userName: null, previousUserID: 'user-1' },
    });
    const [sealedRemoved, sealedMoved] = await sealer.seal(q, [removed, moved]);
    expect(JSON.stringify([sealedRemoved, sealedMoved])).not.toContain('"user-1"');

    keys.erase('app-a', 'user-1');
    expect(await open(sealedRemoved)).toBeUndefined();
    expect((await open(sealedMoved))?.payload).toEqual({ userID: 'user-2', userName: null, previousUserID: null });
  });

  it('an owner change seals the channel\'s state for its new owner; a removal whose user was erased is kept for its state', async () => {
    const state = {
      platform: 'iOS',
      transport: 'APNS',
      properties: { language: 'en', location: { type: 'Point', coordinates: [4.89, 52.37] } },
      tags: ['vip'],
      userData: { firstName: 'John' },
      status: 'active',
    };
    const moved = newEnvelope({
      type: DEVICE_USER_ASSIGNED,
      application: 'app-a',
      aggregateId: 'device-1',
      aggregateVersion: 2,
      subject: 'user-2',
      ...cause,
      payload: { userID: 'user-2', userName: null, previousUserID: 'user-1', state },
    });
    const removed = newEnvelope({
      type: DEVICE_USER_REMOVED,
      application: 'app-a',
      aggregateId: 'device-1',
      aggregateVersion: 3,
      ...cause,
      payload: { previousUserID: 'user-2', state },
    });
    const [sealedMoved, sealedRemoved] = await sealer.seal(q, [moved, removed]);
    expect(isSealed((sealedMoved.payload as { state: unknown }).state)).toBe(true);
    // Anonymous now: the state stays clear, like every anonymous channel's data.
    expect((sealedRemoved.payload as { state: unknown }).state).toEqual(state);

    keys.erase('app-a', 'user-1');
    expect((await open(sealedMoved))?.payload).toEqual({ userID: 'user-2', userName: null, previousUserID: null, state });
    keys.erase('app-a', 'user-2');
    expect(await open(sealedMoved)).toBeUndefined();
    const opened = await open(sealedRemoved);
    expect(opened?.payload).toEqual({ previousUserID: null, state });
    expect(decodeEnvelope(opened!).payload).toEqual({ previousUserID: null, state });
  });

  it('a user event travels under the user\'s key id and opens back to the userID; erased, it is dropped', async () => {
    const renamed = newEnvelope({
      type: USER_RENAMED,
      application: 'app-a',
      aggregateId: 'user-1',
      aggregateVersion: 2,
      subject: 'user-1',
      ...cause,
      payload: { userName: 'John Doe' },
    });
    const [sealed] = await sealer.seal(q, [renamed]);
    const [key] = keys.rows.values();
    expect(sealed.aggregateId).toBe(key.keyId);
    expect(JSON.stringify(sealed)).not.toMatch(/user-1|John/);

    expect(await open(sealed)).toEqual(JSON.parse(JSON.stringify(renamed)));
    keys.erase('app-a', 'user-1');
    expect(await open(sealed)).toBeUndefined();
  });

  it('refuses a user event without a subject', async () => {
    const renamed = newEnvelope({ type: USER_RENAMED, application: 'a', aggregateId: 'u', aggregateVersion: 1, ...cause, payload: { userName: null } });
    await expect(sealer.seal(q, [renamed])).rejects.toThrow(/subject/);
  });

  it('never opens a value with another application\'s key, even the same user id', async () => {
    const [sealed] = await sealer.seal(q, [deviceRegistered('app-a', 'user-1')]);
    const moved = { ...(JSON.parse(JSON.stringify(sealed)) as Record<string, unknown>), application: 'app-b' };
    const opened = (await opener.open(q, moved)) as { payload: Record<string, unknown> };
    expect(opened.payload).toMatchObject({ userID: null, userName: null, userData: {} });
  });

  it('events without personal data pass untouched', async () => {
    const tags = newEnvelope({ type: DEVICE_TAGS_CHANGED, application: 'a', aggregateId: 'd', aggregateVersion: 4, ...cause, payload: { tags: ['x'] } });
    expect(await sealer.seal(q, [tags])).toEqual([tags]);
  });
});
