import { EntityManager } from 'typeorm';
import { strictFake } from '@omni/testing';
import { Message, UPDATE_USER, USER_REGISTERED, USER_RENAMED, newEnvelope } from '@omni/contracts';
import { User } from '../../domain/user';
import { UsersRepository } from '../../persistence/users.repository';
import { UpdateUserUseCase } from './update-user.use-case';

type Call =
  | { method: 'findForUpdate'; em: EntityManager; application: string; userId: string }
  | { method: 'save'; em: EntityManager; user: User };

/**
 * Strict fake of the users port: it answers findForUpdate from a given user (or none), records
 * save, and fails on any other property the use case touches.
 */
function strictUsers(existing: User | null): { repository: UsersRepository; calls: Call[] } {
  const calls: Call[] = [];
  const implemented = {
    async findForUpdate(em: EntityManager, application: string, userId: string): Promise<User | null> {
      calls.push({ method: 'findForUpdate', em, application, userId });
      return existing;
    },
    async save(em: EntityManager, user: User): Promise<void> {
      calls.push({ method: 'save', em, user });
    },
  };
  const repository = strictFake<UsersRepository>('UsersRepository', implemented);
  return { repository, calls };
}

/**
 * Dummy entity manager: the use case must only hand it to the repository. While the use case
 * runs, reading or setting anything on it fails (afterwards the assertions may compare it).
 */
let emArmed = false;
const em = new Proxy(
  {},
  {
    get(target, property, receiver) {
      if (emArmed) throw new Error(`the use case used EntityManager.${String(property)} itself`);
      return Reflect.get(target, property, receiver);
    },
    set(_target, property) {
      throw new Error(`the use case set EntityManager.${String(property)}`);
    },
  },
) as unknown as EntityManager;

async function execute(repository: UsersRepository, command: Message<typeof UPDATE_USER>) {
  emArmed = true;
  try {
    return await new UpdateUserUseCase(repository).execute(em, command);
  } finally {
    emArmed = false;
  }
}

function updateUser(userName: string | null | undefined, userId = 'user-42'): Message<typeof UPDATE_USER> {
  return newEnvelope({
    type: UPDATE_USER,
    application: 'app-key-1',
    aggregateId: userId,
    aggregateVersion: null,
    payload: userName === undefined ? {} : { userName },
  });
}

function storedUser(userName: string | null, version: number): User {
  return User.restore({ application: 'app-key-1', userId: 'user-42', userName, status: 'active', userData: {}, version });
}

describe('UpdateUserUseCase', () => {
  it('a new userID registers the user: accepted, created, version 1, one user.registered event, saved once', async () => {
    const { repository, calls } = strictUsers(null);
    const command = updateUser('Ada');

    const decision = await execute(repository, command);

    expect(decision).toMatchObject({ kind: 'accepted', aggregateType: 'user', version: 1, created: true });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events).toHaveLength(1);
    expect(decision.events[0]).toMatchObject({
      type: USER_REGISTERED,
      application: 'app-key-1',
      aggregateId: 'user-42',
      aggregateVersion: 1,
      correlationId: command.correlationId,
      causationId: command.id,
      payload: { userName: 'Ada' },
    });

    expect(calls.map((c) => c.method)).toEqual(['findForUpdate', 'save']);
    expect(calls[0]).toEqual({ method: 'findForUpdate', em, application: 'app-key-1', userId: 'user-42' });
    const saved = calls[1];
    if (saved.method !== 'save') throw new Error('second call is not save');
    expect(saved.em).toBe(em);
    expect(saved.user.snapshot).toEqual({
      application: 'app-key-1',
      userId: 'user-42',
      userName: 'Ada',
      userData: {},
      status: 'active',
      version: 1,
    });
  });

  it('a new userID without a userName registers the user with a null name', async () => {
    const { repository, calls } = strictUsers(null);

    const decision = await execute(repository, updateUser(undefined));

    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events.map((e) => e.payload)).toEqual([{ userName: null }]);
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate', 'save']);
  });

  it('an existing user sent the same name: accepted, not created, no events, not saved, version unchanged', async () => {
    const { repository, calls } = strictUsers(storedUser('Ada', 3));

    const decision = await execute(repository, updateUser('Ada'));

    expect(decision).toEqual({ kind: 'accepted', aggregateType: 'user', version: 3, events: [], created: false });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });

  it('an existing unnamed user sent no userName is left as it is (absent means null)', async () => {
    const { repository, calls } = strictUsers(storedUser(null, 2));

    const decision = await execute(repository, updateUser(undefined));

    expect(decision).toMatchObject({ kind: 'accepted', version: 2, events: [], created: false });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });

  it('an existing user sent a new name is renamed: one user.renamed event at the next version, saved', async () => {
    const existing = storedUser('Ada', 3);
    const { repository, calls } = strictUsers(existing);
    const command = updateUser('Ada Lovelace');

    const decision = await execute(repository, command);

    expect(decision).toMatchObject({ kind: 'accepted', aggregateType: 'user', version: 4, created: false });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events).toHaveLength(1);
    expect(decision.events[0]).toMatchObject({
      type: USER_RENAMED,
      aggregateId: 'user-42',
      aggregateVersion: 4,
      correlationId: command.correlationId,
      causationId: command.id,
      payload: { userName: 'Ada Lovelace' },
    });

    expect(calls.map((c) => c.method)).toEqual(['findForUpdate', 'save']);
    const saved = calls[1];
    if (saved.method !== 'save') throw new Error('second call is not save');
    expect(saved.em).toBe(em);
    expect(saved.user).toBe(existing);
    expect(saved.user.snapshot).toMatchObject({ userName: 'Ada Lovelace', version: 4 });
  });

  it('looks the user up in the command application, so tenants never see each other', async () => {
    const { repository, calls } = strictUsers(null);
    const command = { ...updateUser('Ada', 'shared-id'), application: 'app-key-2' };

    await execute(repository, command);

    expect(calls[0]).toMatchObject({ method: 'findForUpdate', application: 'app-key-2', userId: 'shared-id' });
  });
});
