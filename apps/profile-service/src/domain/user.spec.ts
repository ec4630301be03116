import { CausedBy, USER_DEACTIVATED, USER_ERASED, USER_REGISTERED, USER_RENAMED } from '@omni/contracts';
import { User, UserState } from './user';

const command: CausedBy = {
  id: 'command-7f3a',
  correlationId: 'correlation-19c2',
  application: 'app-key-1',
};

const stored: UserState = {
  application: 'app-key-1',
  userId: 'user-42',
  userName: 'Ada',
  status: 'active',
  userData: { firstName: 'Ada' },
  version: 4,
};

describe('User', () => {
  describe('register', () => {
    it('records exactly one user.registered event at version 1, caused by the command', () => {
      const user = User.register('app-key-1', 'user-42', 'Ada', command);

      expect(user.events).toHaveLength(1);
      const [event] = user.events;
      expect(event).toMatchObject({
        type: USER_REGISTERED,
        schemaVersion: 1,
        application: 'app-key-1',
        aggregateId: 'user-42',
        aggregateVersion: 1,
        correlationId: command.correlationId,
        causationId: command.id,
        payload: { userName: 'Ada' },
      });
      expect(event.id).not.toBe(command.id);
      expect(Number.isNaN(Date.parse(event.time))).toBe(false);
    });

    it('leaves the user active, named, at version 1', () => {
      const user = User.register('app-key-1', 'user-42', 'Ada', command);

      expect(user.snapshot).toEqual({
        application: 'app-key-1',
        userId: 'user-42',
        userName: 'Ada',
        userData: {},
        status: 'active',
        version: 1,
      });
    });

    it('registers a user without a name, still emitting user.registered with a null name', () => {
      const user = User.register('app-key-1', 'user-42', null, command);

      expect(user.events.map((e) => [e.type, e.payload])).toEqual([[USER_REGISTERED, { userName: null }]]);
      expect(user.snapshot.userName).toBeNull();
    });
  });

  describe('rename', () => {
    it('to the name it already has emits nothing and keeps the version', () => {
      const user = User.register('app-key-1', 'user-42', 'Ada', command);

      user.rename('Ada', { ...command, id: 'command-2' });

      expect(user.events).toHaveLength(1);
      expect(user.snapshot.version).toBe(1);
      expect(user.snapshot.userName).toBe('Ada');
    });

    it('to a new name emits user.renamed at the next version, caused by the renaming command', () => {
      const user = User.register('app-key-1', 'user-42', 'Ada', command);
      const renaming: CausedBy = { id: 'command-2', correlationId: 'correlation-2', application: 'app-key-1' };

      user.rename('Ada Lovelace', renaming);

      expect(user.events).toHaveLength(2);
      expect(user.events[1]).toMatchObject({
        type: USER_RENAMED,
        application: 'app-key-1',
        aggregateId: 'user-42',
        aggregateVersion: 2,
        correlationId: 'correlation-2',
        causationId: 'command-2',
        payload: { userName: 'Ada Lovelace' },
      });
      expect(user.snapshot).toMatchObject({ userName: 'Ada Lovelace', version: 2 });
    });

    it('clearing the name (null) is a rename', () => {
      const user = User.restore(stored);

      user.rename(null, command);

      expect(user.events.map((e) => [e.type, e.aggregateVersion, e.payload])).toEqual([
        [USER_RENAMED, 5, { userName: null }],
      ]);
    });
  });

  describe('restore', () => {
    it('records no events and exposes the stored state', () => {
      const user = User.restore(stored);

      expect(user.events).toEqual([]);
      expect(user.snapshot).toEqual(stored);
    });

    it('then rename continues from the restored version', () => {
      const user = User.restore(stored);

      user.rename('Grace', command);

      expect(user.events).toHaveLength(1);
      expect(user.events[0]).toMatchObject({ type: USER_RENAMED, aggregateVersion: 5, payload: { userName: 'Grace' } });
      expect(user.snapshot.version).toBe(5);
    });

    it('then rename to the same name emits nothing and keeps the restored version', () => {
      const user = User.restore(stored);

      user.rename('Ada', command);

      expect(user.events).toEqual([]);
      expect(user.snapshot.version).toBe(4);
    });

    it('does not share or change the state object it was restored from', () => {
      const state: UserState = { ...stored };
      const user = User.restore(state);

      user.rename('Grace', command);

      expect(state).toEqual(stored);
    });
  });
});

describe('User.overrideUserData', () => {
  const cause = { id: 'command-9', correlationId: 'command-9', application: 'app-key-1' };

  it('replaces the given fields, clears those sent as null, keeps the others, in one event', () => {
    const user = User.restore({ ...stored, userData: { firstName: 'Ada', lastName: 'Lovelace', plan: 'pro' } });
    user.overrideUserData({ firstName: 'Augusta', plan: null }, cause);
    expect(user.snapshot.userData).toEqual({ firstName: 'Augusta', lastName: 'Lovelace' });
    expect(user.events).toHaveLength(1);
    expect(user.events[0]).toMatchObject({
      type: 'user.user-data-changed',
      aggregateVersion: stored.version + 1,
      payload: { userData: { firstName: 'Augusta', lastName: 'Lovelace' } },
    });
  });

  it('emits nothing when the data does not change (clearing an absent field, repeating a value)', () => {
    const user = User.restore({ ...stored, userData: { firstName: 'Ada' } });
    user.overrideUserData({ firstName: 'Ada', gender: null }, cause);
    expect(user.events).toHaveLength(0);
    expect(user.snapshot.version).toBe(stored.version);
  });

  describe('lifecycle', () => {
    it('every event names the user as its subject (its personal data is sealed with the user\'s key)', () => {
      const user = User.restore(stored);
      user.rename('Ada Lovelace', command);
      user.overrideUserData({ lastName: 'Lovelace' }, command);
      user.deactivate(command);
      user.erase(command);
      expect(user.events.map((event) => event.subject)).toEqual(['user-42', 'user-42', 'user-42', 'user-42']);
    });

    it('deactivate records user.deactivated, again for a user inactive here (a channel may have reactivated it in the read model since)', () => {
      const user = User.restore(stored);
      user.deactivate(command);
      expect(user.events.map((event) => [event.type, event.aggregateVersion, event.payload])).toEqual([[USER_DEACTIVATED, 5, { status: 'inactive' }]]);
      expect(user.snapshot.status).toBe('inactive');
      const inactive = User.restore({ ...stored, status: 'inactive' });
      inactive.deactivate(command);
      expect(inactive.events.map((event) => [event.type, event.aggregateVersion])).toEqual([[USER_DEACTIVATED, 5]]);
    });

    it('erase records user.erased as the user\'s next version', () => {
      const user = User.restore(stored);
      user.erase(command);
      expect(user.events.map((event) => [event.type, event.aggregateVersion, event.payload])).toEqual([[USER_ERASED, 5, { status: 'erased' }]]);
    });
  });
});
