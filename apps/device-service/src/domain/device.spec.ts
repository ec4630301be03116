import { CausedBy } from '@omni/contracts';
import { STORED_DEVICE_STATE as STORED_STATE, storedDevice as stored } from '../use-cases/strict-fakes';
import { Device } from './device';

const cause: CausedBy = { id: 'command-1', correlationId: 'correlation-1', application: 'app-key-1' };

const types = (device: Device) => device.events.map((event) => event.type);
const payloads = (device: Device) => device.events.map((event) => event.payload);
/** [type, subject] of each recorded event; a subject absent from the envelope reads as undefined. */
const subjects = (device: Device) => device.events.map((event) => [event.type, event.subject]);

describe('Device', () => {
  describe('register (a new deviceID)', () => {
    it('records one device.registered at version 1 with the whole state, Notificare by default, only device properties kept', () => {
      const device = Device.register(
        'app-key-1',
        'device-1',
        { platform: 'Android', properties: { language: 'nl', osVersion: '14', region: null, unknown: 'x' } as never },
        cause,
      );

      expect(device.events).toHaveLength(1);
      expect(device.events[0]).toMatchObject({
        type: 'device.registered',
        application: 'app-key-1',
        aggregateId: 'device-1',
        aggregateVersion: 1,
        correlationId: 'correlation-1',
        causationId: 'command-1',
        payload: {
          platform: 'Android',
          transport: 'Notificare',
          properties: { language: 'nl', osVersion: '14' },
          userID: null,
          userName: null,
          tags: [],
          userData: {},
          oldDeviceID: null,
        },
      });
      expect(device.snapshot).toMatchObject({ status: 'active', version: 1, transport: 'Notificare', properties: { language: 'nl', osVersion: '14' } });
      expect(device.snapshot.properties).not.toHaveProperty('unknown');
    });

    it('with a carried-over device: its user, tags and data come along and oldDeviceID names it', () => {
      const device = Device.register(
        'app-key-1',
        'device-new',
        {
          platform: 'iOS',
          transport: 'APNS',
          properties: {},
          carried: { fromDeviceId: 'device-old', user: { userId: 'U1', userName: 'Ada' }, tags: ['a'], userData: { firstName: 'Ada' } },
        },
        cause,
      );

      expect(payloads(device)).toEqual([
        expect.objectContaining({ userID: 'U1', userName: 'Ada', tags: ['a'], userData: { firstName: 'Ada' }, oldDeviceID: 'device-old' }),
      ]);
    });

    it('an explicit user wins over the carried-over one', () => {
      const device = Device.register(
        'app-key-1',
        'device-new',
        {
          platform: 'iOS',
          properties: {},
          user: { userId: 'U2', userName: null },
          carried: { fromDeviceId: 'device-old', user: { userId: 'U1', userName: 'Ada' }, tags: [], userData: {} },
        },
        cause,
      );

      expect(device.snapshot).toMatchObject({ userId: 'U2', userName: null });
    });
  });

  describe('reregister (a known deviceID)', () => {
    it('the same registration again records nothing', () => {
      const device = stored();
      device.reregister({ platform: 'iOS', transport: 'APNS', properties: { language: 'en', timeZoneOffset: 1 } }, cause);
      expect(device.events).toEqual([]);
      expect(device.snapshot.version).toBe(3);
    });

    it('records one device.updated with only what changed (null clears), the platform and transport when they changed', () => {
      const device = stored();
      device.reregister({ platform: 'iOS', transport: 'GCM', properties: { language: 'en', timeZoneOffset: null, appVersion: '2.0' } }, cause);

      expect(device.events).toHaveLength(1);
      expect(device.events[0]).toMatchObject({
        type: 'device.updated',
        aggregateVersion: 4,
        payload: { transport: 'GCM', properties: { timeZoneOffset: null, appVersion: '2.0' } },
      });
      expect(device.events[0].payload).not.toHaveProperty('platform');
      expect(device.snapshot.properties).toEqual({ language: 'en', appVersion: '2.0' });
    });

    it('a registration without a user keeps the device user; null makes it anonymous', () => {
      const device = stored({ userId: 'U1', userName: 'Ada' });
      device.reregister({ platform: 'iOS', properties: {} }, cause);
      expect(device.events).toEqual([]);

      device.reregister({ platform: 'iOS', properties: {}, user: null }, cause);
      expect(payloads(device)).toEqual([{ previousUserID: 'U1', state: STORED_STATE }]);
    });

    it('merges what a replaced device carried: own user and data win, tags are united', () => {
      const device = stored({ userId: 'U2', userName: 'Bob', tags: ['x'], userData: { firstName: 'Bob' } });
      device.reregister(
        {
          platform: 'iOS',
          properties: {},
          carried: { fromDeviceId: 'device-old', user: { userId: 'U1', userName: 'Ada' }, tags: ['a', 'x'], userData: { firstName: 'Ada', lastName: 'L' } },
        },
        cause,
      );

      expect(types(device)).toEqual(['device.tags-changed', 'device.user-data-changed']);
      expect(device.snapshot).toMatchObject({ userId: 'U2', tags: ['x', 'a'], userData: { firstName: 'Bob', lastName: 'L' }, version: 5 });
    });

    it('an inactive device comes back with one device.registered carrying its whole state', () => {
      const device = stored({ status: 'inactive', userId: 'U1', userName: 'Ada', tags: ['t'] });
      device.reregister({ platform: 'Android', properties: { language: 'de' } }, cause);

      expect(device.events).toHaveLength(1);
      expect(device.events[0]).toMatchObject({
        type: 'device.registered',
        aggregateVersion: 4,
        payload: { platform: 'Android', transport: 'APNS', properties: { language: 'de', timeZoneOffset: 1 }, userID: 'U1', tags: ['t'] },
      });
      expect(device.isActive).toBe(true);
    });

    it('a location compares by value, whatever its key order', () => {
      const device = stored({ properties: { location: { type: 'Point', coordinates: [4.9, 52.3] } } });
      device.reregister({ platform: 'iOS', transport: 'APNS', properties: { location: { coordinates: [4.9, 52.3], type: 'Point' } } }, cause);
      expect(device.events).toEqual([]);
    });
  });

  it('update changes only updatable properties and records what changed', () => {
    const device = stored();
    device.update({ language: 'nl', timeZoneOffset: 1, appVersion: '9' } as never, cause);

    expect(payloads(device)).toEqual([{ properties: { language: 'nl' } }]);
    expect(device.snapshot.properties).toEqual({ language: 'nl', timeZoneOffset: 1 });
  });

  it('a Do Not Disturb period is an updatable property: set, the same again (any key order) records nothing, null clears', () => {
    const device = stored();
    device.update({ dnd: { start: '23:00', end: '07:00' } }, cause);
    device.update({ dnd: { end: '07:00', start: '23:00' } }, cause);
    device.update({ dnd: null }, cause);

    expect(payloads(device)).toEqual([{ properties: { dnd: { start: '23:00', end: '07:00' } } }, { properties: { dnd: null } }]);
    expect(device.snapshot.properties).toEqual({ language: 'en', timeZoneOffset: 1 });
  });

  it('deactivate records device.deactivated once, keeping user, tags and data', () => {
    const device = stored({ userId: 'U1', tags: ['t'] });
    device.deactivate(cause);
    device.deactivate(cause);

    expect(device.events).toHaveLength(1);
    expect(device.events[0]).toMatchObject({ type: 'device.deactivated', payload: { userID: 'U1' } });
    expect(device.snapshot).toMatchObject({ status: 'inactive', userId: 'U1', tags: ['t'] });
  });

  describe('users', () => {
    it('assigning an anonymous device records previousUserID null; moving it names the previous user', () => {
      const device = stored();
      device.assignUser({ userId: 'U1', userName: 'Ada' }, cause);
      device.assignUser({ userId: 'U2', userName: 'Bob' }, cause);

      expect(payloads(device)).toEqual([
        { userID: 'U1', userName: 'Ada', previousUserID: null, state: STORED_STATE },
        { userID: 'U2', userName: 'Bob', previousUserID: 'U1', state: STORED_STATE },
      ]);
      expect(device.events.map((event) => event.aggregateVersion)).toEqual([4, 5]);
    });

    it('the same user and name again records nothing; a new name for the same user is recorded', () => {
      const device = stored({ userId: 'U1', userName: 'Ada' });
      device.assignUser({ userId: 'U1', userName: 'Ada' }, cause);
      expect(device.events).toEqual([]);

      device.assignUser({ userId: 'U1', userName: 'Ada L.' }, cause);
      expect(payloads(device)).toEqual([{ userID: 'U1', userName: 'Ada L.', previousUserID: 'U1', state: STORED_STATE }]);
    });

    it('removing the user records device.user-removed; an anonymous device records nothing', () => {
      const device = stored({ userId: 'U1', userName: 'Ada' });
      device.removeUser(cause);
      device.removeUser(cause);

      expect(types(device)).toEqual(['device.user-removed']);
      expect(payloads(device)).toEqual([{ previousUserID: 'U1', state: STORED_STATE }]);
      expect(device.snapshot).toMatchObject({ userId: null, userName: null });
    });

    it('an owner change carries the whole device — location, user data, tags, platform, status — for its new subject', () => {
      const location = { type: 'Point' as const, coordinates: [4.9, 52.37] as [number, number] };
      const device = stored({
        userId: 'U1',
        userName: 'Ada',
        status: 'active',
        transport: 'GCM',
        properties: { language: 'nl', location, locationAccuracy: 10 },
        tags: ['vip'],
        userData: { firstName: 'Ada' },
      });
      const state = {
        platform: 'iOS',
        transport: 'GCM',
        properties: { language: 'nl', location, locationAccuracy: 10 },
        tags: ['vip'],
        userData: { firstName: 'Ada' },
        status: 'active',
      };

      device.assignUser({ userId: 'U2', userName: 'Bob' }, cause);
      device.removeUser(cause);

      expect(device.events.map((event) => [event.type, event.subject, (event.payload as { state: unknown }).state])).toEqual([
        ['device.user-assigned', 'U2', state],
        ['device.user-removed', undefined, state],
      ]);
      // A copy: what the device does next does not change what was recorded.
      device.addTags(['news'], cause);
      expect((device.events[0].payload as { state: { tags: string[] } }).state.tags).toEqual(['vip']);
    });

    it('a re-registration that moves an active device records its state after the registration\'s own changes', () => {
      const device = stored({ userId: 'U1', userName: 'Ada' });
      device.reregister({ platform: 'iOS', properties: { language: 'de' }, user: { userId: 'U2', userName: null } }, cause);

      expect(types(device)).toEqual(['device.updated', 'device.user-assigned']);
      expect(device.events[1].payload).toEqual({
        userID: 'U2',
        userName: null,
        previousUserID: 'U1',
        state: { ...STORED_STATE, properties: { language: 'de', timeZoneOffset: 1 } },
      });
    });
  });

  describe('tags', () => {
    it('add keeps each tag once in first-added order and records the full list', () => {
      const device = stored({ tags: ['a'] });
      device.addTags(['b', 'a', 'b', 'c'], cause);
      expect(payloads(device)).toEqual([{ tags: ['a', 'b', 'c'] }]);
    });

    it('adding tags the device has, removing tags it has not, clearing none: nothing recorded', () => {
      const device = stored({ tags: ['a'] });
      device.addTags(['a'], cause);
      device.removeTags(['z'], cause);
      expect(device.events).toEqual([]);

      const untagged = stored();
      untagged.clearTags(cause);
      expect(untagged.events).toEqual([]);
    });

    it('remove and clear record the list after the change', () => {
      const device = stored({ tags: ['a', 'b', 'c'] });
      device.removeTags(['b'], cause);
      device.clearTags(cause);
      expect(payloads(device)).toEqual([{ tags: ['a', 'c'] }, { tags: [] }]);
    });
  });

  describe('user data override', () => {
    it('given fields replace, null clears, the others stay; the full data is recorded', () => {
      const device = stored({ userData: { firstName: 'Ada', lastName: 'L', vip: true } });
      device.overrideUserData({ firstName: 'Grace', lastName: null, age: 36 }, cause);

      expect(payloads(device)).toEqual([{ userData: { firstName: 'Grace', vip: true, age: 36 } }]);
    });

    it('values it has already, and clearing what is not set, record nothing', () => {
      const device = stored({ userData: { firstName: 'Ada' } });
      device.overrideUserData({ firstName: 'Ada', lastName: null }, cause);
      expect(device.events).toEqual([]);
    });
  });

  describe('replaceBy (oldDeviceID)', () => {
    it('hands over user, tags and data, stays inactive and empty with one device.replaced', () => {
      const device = stored({ userId: 'U1', userName: 'Ada', tags: ['a'], userData: { firstName: 'Ada' } });

      const carried = device.replaceBy('device-new', cause);

      expect(carried).toEqual({ fromDeviceId: 'device-1', user: { userId: 'U1', userName: 'Ada' }, tags: ['a'], userData: { firstName: 'Ada' } });
      expect(device.events).toHaveLength(1);
      expect(device.events[0]).toMatchObject({
        type: 'device.replaced',
        aggregateId: 'device-1',
        aggregateVersion: 4,
        payload: { replacedBy: 'device-new', previousUserID: 'U1' },
      });
      expect(device.snapshot).toMatchObject({ status: 'inactive', replacedBy: 'device-new', userId: null, tags: [], userData: {} });
    });

    it('a device replaced before has nothing left to hand over and records nothing', () => {
      const device = stored({ status: 'inactive', replacedBy: 'device-2' });
      expect(device.replaceBy('device-3', cause)).toBeUndefined();
      expect(device.events).toEqual([]);
    });
  });

  describe('eraseUser (the user was erased)', () => {
    const LOCATED = {
      language: 'en',
      timeZoneOffset: 1,
      location: { type: 'Point' as const, coordinates: [4.9, 52.3] as [number, number] },
      locationAccuracy: 10,
      altitude: 3,
      osVersion: '17',
    };

    it('the device becomes anonymous and forgets the user data and location, with one device.user-erased (userID null, no subject)', () => {
      const device = stored({ userId: 'U1', userName: 'Ada', userData: { firstName: 'Ada' }, tags: ['vip'], properties: LOCATED });

      device.eraseUser(cause);

      expect(device.events).toHaveLength(1);
      expect(device.events[0]).toMatchObject({ type: 'device.user-erased', aggregateId: 'device-1', aggregateVersion: 4, payload: { userID: null } });
      expect(device.events[0]).not.toHaveProperty('subject');
      expect(device.snapshot).toEqual({
        application: 'app-key-1',
        deviceId: 'device-1',
        userId: null,
        userName: null,
        platform: 'iOS',
        transport: 'APNS',
        properties: { language: 'en', timeZoneOffset: 1, osVersion: '17' },
        tags: ['vip'],
        userData: {},
        status: 'active',
        replacedBy: null,
        version: 4,
      });
    });

    it('an inactive device of the user is erased too and stays inactive', () => {
      const device = stored({ status: 'inactive', userId: 'U1', userName: 'Ada' });
      device.eraseUser(cause);

      expect(types(device)).toEqual(['device.user-erased']);
      expect(device.snapshot).toMatchObject({ status: 'inactive', userId: null, userName: null, version: 4 });
    });

    it('an anonymous device records nothing', () => {
      const device = stored({ properties: LOCATED });
      device.eraseUser(cause);

      expect(device.events).toEqual([]);
      expect(device.snapshot.properties).toEqual(LOCATED);
    });
  });

  describe('subject (whose personal data an event holds)', () => {
    it('is the user the device belongs to after the change', () => {
      const device = stored();
      device.assignUser({ userId: 'U1', userName: 'Ada' }, cause);
      device.update({ language: 'nl' }, cause);
      device.addTags(['t'], cause);
      device.assignUser({ userId: 'U2', userName: 'Bob' }, cause);
      device.deactivate(cause);

      expect(subjects(device)).toEqual([
        ['device.user-assigned', 'U1'],
        ['device.updated', 'U1'],
        ['device.tags-changed', 'U1'],
        ['device.user-assigned', 'U2'],
        ['device.deactivated', 'U2'],
      ]);
    });

    it('is absent once the device is anonymous: user removed, replaced, erased', () => {
      const removed = stored({ userId: 'U1' });
      removed.removeUser(cause);
      const replaced = stored({ userId: 'U1' });
      replaced.replaceBy('device-new', cause);
      const erased = stored({ userId: 'U1' });
      erased.eraseUser(cause);

      for (const device of [removed, replaced, erased]) {
        expect(device.events).toHaveLength(1);
        expect(device.events[0]).not.toHaveProperty('subject');
      }
    });

    it('an anonymous registration has none; one with a user (given or carried over) names it', () => {
      const anonymous = Device.register('app-key-1', 'device-1', { platform: 'iOS', properties: { language: 'en' } }, cause);
      anonymous.overrideUserData({ firstName: 'Anna' }, cause);
      const withUser = Device.register('app-key-1', 'device-2', { platform: 'iOS', properties: {}, user: { userId: 'U1', userName: null } }, cause);
      const carried = Device.register(
        'app-key-1',
        'device-3',
        { platform: 'iOS', properties: {}, carried: { fromDeviceId: 'device-old', user: { userId: 'U2', userName: null }, tags: [], userData: {} } },
        cause,
      );

      expect(anonymous.events.map((event) => 'subject' in event)).toEqual([false, false]);
      expect(subjects(withUser)).toEqual([['device.registered', 'U1']]);
      expect(subjects(carried)).toEqual([['device.registered', 'U2']]);
    });

    it('a re-registration that makes the device anonymous records device.user-removed without a subject', () => {
      const device = stored({ userId: 'U1', userName: 'Ada' });
      device.reregister({ platform: 'Android', properties: {}, user: null }, cause);

      expect(subjects(device)).toEqual([
        ['device.updated', 'U1'],
        ['device.user-removed', undefined],
      ]);
    });
  });
});
