import { DataSource, EntityManager } from 'typeorm';
import { CausedBy, Message, OVERRIDE_USER_DATA, UPDATE_USER, newEnvelope } from '@omni/contracts';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { createServiceDataSource } from '@omni/persistence';
import { statementsOf, TestDatabase, testDatabase } from '@omni/testing';
import { PROFILE_SCHEMA } from '../src/config';
import { User, UserState } from '../src/domain/user';
import { UserEntity } from '../src/persistence/user.entity';
import { UsersRepository } from '../src/persistence/users.repository';
import { OverrideUserDataUseCase } from '../src/use-cases/override-user-data/override-user-data.use-case';
import { UpdateUserUseCase } from '../src/use-cases/update-user/update-user.use-case';

const APP = 'app-users-repository';
const cause: CausedBy = { id: 'command-1', correlationId: 'command-1', application: APP };

/** The state TypeORM's entity maps from the row (what the repository returned before it used plain SQL). */
function entityState(row: UserEntity): UserState {
  const { application, userId, userName, status, userData, version } = row;
  return { application, userId, userName, status, userData, version };
}

describe('UsersRepository on PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const users = new UsersRepository();

  const inTransaction = <T>(work: (em: EntityManager) => Promise<T>): Promise<T> => dataSource.transaction(work);
  const save = (user: User) => inTransaction((em) => users.save(em, user));
  const read = (userId: string) => inTransaction((em) => users.findForUpdate(em, APP, userId));
  const entity = (userId: string) => dataSource.getRepository(UserEntity).findOneByOrFail({ application: APP, userId });

  beforeAll(async () => {
    db = await testDatabase();
    dataSource = await createServiceDataSource({ url: db.url, schema: PROFILE_SCHEMA, applicationName: 'users-repository-test', entities: [UserEntity] }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('a user with every column set reads back as it was saved, and as the entity maps its row', async () => {
    const user = User.register(APP, 'user-Ü-😀', "Zoë O'Brien \"😀\" \\ 标签", cause);
    user.overrideUserData({ firstName: 'Zoë', age: 42, vip: true, birthdate: '1997-03-10' }, cause);
    user.deactivate(cause);
    await save(user);

    const found = await read('user-Ü-😀');

    expect(found?.snapshot).toEqual(user.snapshot);
    expect(found?.snapshot).toMatchObject({ version: 3, status: 'inactive', userData: { firstName: 'Zoë', age: 42, vip: true } });
    expect(entityState(await entity('user-Ü-😀'))).toEqual(user.snapshot);
  });

  it('a user without a name or data keeps its null and its empty object', async () => {
    await save(User.register(APP, 'user-empty', null, cause));

    const found = await read('user-empty');

    expect(found?.snapshot).toEqual({ application: APP, userId: 'user-empty', userName: null, status: 'active', userData: {}, version: 1 });
    expect(entityState(await entity('user-empty'))).toEqual(found?.snapshot);
  });

  it('a change saved later rewrites the row in place: its new version, the same created_at, a later updated_at', async () => {
    await save(User.register(APP, 'user-renamed', 'Ada', cause));
    const created = await entity('user-renamed');

    const renamed = await inTransaction(async (em) => {
      const stored = await users.findForUpdate(em, APP, 'user-renamed');
      stored!.rename(null, cause);
      await users.save(em, stored!);
      return stored!;
    });

    expect((await read('user-renamed'))?.snapshot).toEqual({ ...renamed.snapshot, userName: null, version: 2 });
    expect((await entity('user-renamed')).createdAt).toEqual(created.createdAt);
    const [{ moved }] = await dataSource.query(`SELECT updated_at > created_at AS moved FROM profile.users WHERE application = $1 AND user_id = $2`, [
      APP,
      'user-renamed',
    ]);
    expect(moved).toBe(true);
  });

  it('a save never overwrites a row that is not at the version the user was read at: a retryable serialization failure', async () => {
    const first = User.register(APP, 'user-raced', 'First', cause);
    await save(first);
    // Another command creating the same new user, decided before the first committed.
    const second = User.register(APP, 'user-raced', 'Second', cause);
    // A copy read at version 1 while another transaction moved the row on to version 2.
    const stale = User.restore(first.snapshot);
    const moved = User.restore(first.snapshot);
    moved.rename('Moved', cause);
    await save(moved);
    stale.rename('Stale', cause);

    await expect(save(second)).rejects.toMatchObject({ code: '40001' });
    await expect(save(stale)).rejects.toMatchObject({ code: '40001' });
    expect((await read('user-raced'))?.snapshot).toEqual(moved.snapshot);
  });

  it('remove deletes the row and answers the user as it was; an unknown user is null', async () => {
    const user = User.register(APP, 'user-removed', 'Ada', cause);
    user.overrideUserData({ firstName: 'Ada' }, cause);
    await save(user);

    const removed = await inTransaction((em) => users.remove(em, APP, 'user-removed'));

    expect(removed?.snapshot).toEqual(user.snapshot);
    expect(await read('user-removed')).toBeNull();
    expect(await inTransaction((em) => users.remove(em, APP, 'user-removed'))).toBeNull();
  });

  describe('statements per command (each one is a round trip)', () => {
    const command = <T extends typeof UPDATE_USER | typeof OVERRIDE_USER_DATA>(type: T, userId: string, payload: Message<T>['payload']): Message<T> =>
      newEnvelope({ type, application: APP, aggregateId: userId, aggregateVersion: null, payload });

    const statements = (run: (em: EntityManager) => Promise<unknown>) => statementsOf(dataSource, run);

    it('creating a user, then overriding its data: one locking read and one write each (and the settings the data is checked against)', async () => {
      const settings = new ApplicationSettingsStore(PROFILE_SCHEMA);
      await inTransaction((em) =>
        settings.apply(em, APP, 1, { userRegistration: 'sdk', userDataFields: [{ key: 'firstName', label: 'First name', type: 'text' }] }),
      );
      const update = new UpdateUserUseCase(users);
      const override = new OverrideUserDataUseCase(users, settings);

      expect(await statements((em) => update.execute(em, command(UPDATE_USER, 'user-counted', { userName: 'Ada' })))).toEqual(['SELECT', 'INSERT']);
      expect(
        await statements((em) => override.execute(em, command(OVERRIDE_USER_DATA, 'user-counted', { userData: { firstName: 'Ada' }, credential: 'master' }))),
      ).toEqual(['SELECT', 'SELECT', 'UPDATE']);
      expect((await read('user-counted'))?.snapshot).toMatchObject({ userName: 'Ada', userData: { firstName: 'Ada' }, version: 2 });
    });
  });
});
