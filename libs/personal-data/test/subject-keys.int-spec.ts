import { DataSource } from 'typeorm';
import { createServiceDataSource } from '@omni/persistence';
import { TestDatabase, statementsOf, testDatabase } from '@omni/testing';
import { SubjectErasureInProgress, SubjectKeys } from '../src/subject-keys';

const APP = 'app-subject-keys';

describe('SubjectKeys on PostgreSQL: read once per transaction', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const keys = new SubjectKeys();

  beforeAll(async () => {
    db = await testDatabase();
    dataSource = await createServiceDataSource({ url: db.url, schema: 'personal_data', applicationName: 'subject-keys-test', entities: [] }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('a unit preloads the keys of its subjects with one statement; its commands then read none, and a new key is created once', async () => {
    const known = await dataSource.transaction((em) => keys.forSubject(em, APP, 'U-known'));
    let created: string | undefined;
    const sent = await statementsOf(dataSource, async (em) => {
      await keys.preload(em, [
        { application: APP, userId: 'U-known' },
        { application: APP, userId: 'U-new' },
      ]);
      expect((await keys.forSubject(em, APP, 'U-known')).keyId).toBe(known.keyId);
      created = (await keys.forSubject(em, APP, 'U-new')).keyId;
      expect((await keys.forSubject(em, APP, 'U-new')).keyId).toBe(created);
    });
    // The preload; the new key is inserted outside the transaction (not counted here), once.
    expect(sent).toEqual(['SELECT']);
    expect((await keys.find(dataSource.manager, APP, 'U-new'))?.keyId).toBe(created);
  });

  it('a key the transaction marks as erasing is read again: nothing more is sealed for that user in it', async () => {
    await dataSource.transaction(async (em) => {
      await keys.preload(em, [{ application: APP, userId: 'U-erased' }]);
      const key = await keys.forSubject(em, APP, 'U-erased');
      await keys.markErasing(em, key.keyId);
      await expect(keys.forSubject(em, APP, 'U-erased')).rejects.toBeInstanceOf(SubjectErasureInProgress);
      expect((await keys.forSubject(em, APP, 'U-erased', { erasing: true })).keyId).toBe(key.keyId);
    });
  });
});
