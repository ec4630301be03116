import { DataSource } from 'typeorm';
import { createServiceDataSource } from '@omni/persistence';
import { TestDatabase, testDatabase } from '@omni/testing';
import { ProfileReads } from '../src';

const APP = 'app-profile-reads';
const OTHER_APP = 'app-profile-reads-other';

/**
 * The profile read on a real read model: which rows make the profile, in which order, and how
 * each column appears in it (timestamps as `Date.toJSON` writes them, in UTC, PostgreSQL's
 * microseconds cut to milliseconds as the driver does when it parses them into Dates).
 */
describe('ProfileReads on the real read model', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let query: ProfileReads;

  const insertUser = (application: string, userID: string, at: { created: string; updated: string }) =>
    dataSource.query(
      `INSERT INTO projection.users (application, user_id, status, user_data, profile_user_name, created_at, updated_at)
       VALUES ($1, $2, 'active', '{"firstName": "John", "score": 1.50}', 'John Doe', $3, $4)`,
      [application, userID, at.created, at.updated],
    );
  const insertDevice = (row: { id: string; user?: string; status?: string; properties?: object; tags?: string[]; created: string; updated: string; application?: string }) =>
    dataSource.query(
      `INSERT INTO projection.devices (application, device_id, user_id, platform, transport, properties, tags, status, created_at, updated_at)
       VALUES ($1, $2, $3, 'iOS', 'APNS', $4, $5, $6, $7, $8)`,
      [row.application ?? APP, row.id, row.user ?? 'U1', JSON.stringify(row.properties ?? {}), row.tags ?? [], row.status ?? 'active', row.created, row.updated],
    );
  const insertRecipient = (row: {
    id: string;
    channel: 'email' | 'sms';
    address: string;
    status?: string;
    verification?: string;
    properties?: object;
    created: string;
    updated: string;
  }) =>
    dataSource.query(
      `INSERT INTO projection.recipients (application, recipient_id, channel, address, user_id, properties, tags, status, verification, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'U1', $5, '{vip}', $6, $7, $8, $9)`,
      [APP, row.id, row.channel, row.address, JSON.stringify(row.properties ?? {}), row.status ?? 'active', row.verification ?? 'none', row.created, row.updated],
    );

  beforeAll(async () => {
    db = await testDatabase();
    // As the gateway reads it: from its own schema, the read model's tables named in full.
    dataSource = await createServiceDataSource({ url: db.url, schema: 'gateway', applicationName: 'profile-reads-test', poolSize: 2 }).initialize();
    query = new ProfileReads(dataSource);

    await insertUser(APP, 'U1', { created: '2026-01-01 10:00:00.123999+00', updated: '2026-01-01 11:00:00+00' });
    await dataSource.query(`INSERT INTO projection.profile_versions (application, user_id, version) VALUES ($1, 'U1', 9007199254740)`, [APP]);
    // Two devices created at the same instant (ordered by id), one older, one inactive, one of another user.
    await insertDevice({ id: 'dev-b', properties: { language: 'nl', tags: 'ignored' }, tags: ['a', 'b'], created: '2026-01-02 00:00:00.5+00', updated: '2026-01-02 00:00:00.5+00' });
    await insertDevice({ id: 'dev-a', created: '2026-01-02 00:00:00.5+00', updated: '2026-01-03 00:00:00.987654+00' });
    await insertDevice({ id: 'dev-old', properties: { platform: 'from-properties' }, created: '2025-12-31 02:00:00+02', updated: '2025-12-30 19:00:00-05' });
    await insertDevice({ id: 'dev-gone', status: 'inactive', created: '2026-01-01 00:00:00+00', updated: '2026-02-01 00:00:00+00' });
    await insertDevice({ id: 'dev-other-user', user: 'U2', created: '2026-01-01 00:00:00+00', updated: '2026-01-01 00:00:00+00' });
    // Contacts: active, waiting for verification (shown inactive), and a deactivated one (left out).
    await insertRecipient({ id: 'mail-2', channel: 'email', address: 'second@example.com', created: '2026-01-05 00:00:00+00', updated: '2026-01-05 00:00:00+00' });
    await insertRecipient({
      id: 'mail-1',
      channel: 'email',
      address: 'first@example.com',
      status: 'inactive',
      verification: 'pending',
      properties: { label: 'work' },
      created: '2026-01-04 00:00:00+00',
      updated: '2026-01-04 00:00:00+00',
    });
    await insertRecipient({ id: 'mail-old', channel: 'email', address: 'old@example.com', status: 'inactive', verification: 'verified', created: '2026-01-01 00:00:00+00', updated: '2026-03-01 00:00:00+00' });
    await insertRecipient({ id: 'sms-1', channel: 'sms', address: '+31612345678', verification: 'verified', created: '2026-01-06 00:00:00+00', updated: '2026-01-06 00:00:00.000999+00' });

    await insertUser(APP, 'U-alone', { created: '2026-01-01 00:00:00+00', updated: '2026-01-01 00:00:00.250001+00' });
    await insertUser(OTHER_APP, 'U-elsewhere', { created: '2026-01-01 00:00:00+00', updated: '2026-01-01 00:00:00+00' });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('a profile holds the user, their active devices and their active or pending contacts, oldest first', async () => {
    expect(await query.find(APP, 'U1')).toEqual({
      userID: 'U1',
      userName: 'John Doe',
      active: true,
      userData: { firstName: 'John', score: 1.5 },
      channels: {
        push: [
          {
            deviceID: 'dev-old',
            platform: 'from-properties',
            transport: 'APNS',
            tags: [],
            active: true,
            createdAt: '2025-12-31T00:00:00.000Z',
            updatedAt: '2025-12-31T00:00:00.000Z',
          },
          {
            deviceID: 'dev-a',
            platform: 'iOS',
            transport: 'APNS',
            tags: [],
            active: true,
            createdAt: '2026-01-02T00:00:00.500Z',
            updatedAt: '2026-01-03T00:00:00.987Z',
          },
          {
            deviceID: 'dev-b',
            platform: 'iOS',
            transport: 'APNS',
            language: 'nl',
            tags: ['a', 'b'],
            active: true,
            createdAt: '2026-01-02T00:00:00.500Z',
            updatedAt: '2026-01-02T00:00:00.500Z',
          },
        ],
        email: [
          {
            deviceID: 'mail-1',
            email: 'first@example.com',
            label: 'work',
            tags: ['vip'],
            active: false,
            verification: 'pending',
            createdAt: '2026-01-04T00:00:00.000Z',
            updatedAt: '2026-01-04T00:00:00.000Z',
          },
          {
            deviceID: 'mail-2',
            email: 'second@example.com',
            tags: ['vip'],
            active: true,
            verification: 'none',
            createdAt: '2026-01-05T00:00:00.000Z',
            updatedAt: '2026-01-05T00:00:00.000Z',
          },
        ],
        sms: [
          {
            deviceID: 'sms-1',
            phone: '+31612345678',
            tags: ['vip'],
            active: true,
            verification: 'verified',
            createdAt: '2026-01-06T00:00:00.000Z',
            updatedAt: '2026-01-06T00:00:00.000Z',
          },
        ],
      },
      createdAt: '2026-01-01T10:00:00.123Z',
      // The latest change of the user or of a channel shown.
      updatedAt: '2026-01-06T00:00:00.000Z',
      version: 9007199254740,
    });
  });

  it('a profile without channels has empty lists, version 0 before its first snapshot, and the user’s own updatedAt', async () => {
    const profile = await query.find(APP, 'U-alone');
    expect(profile?.channels).toEqual({ push: [], email: [], sms: [] });
    expect(profile?.version).toBe(0);
    expect(profile?.updatedAt).toEqual('2026-01-01T00:00:00.250Z');
  });

  it('an unknown user, or one of another application, has no profile', async () => {
    expect(await query.find(APP, 'U-nobody')).toBeUndefined();
    expect(await query.find(APP, 'U-elsewhere')).toBeUndefined();
    expect(await query.find(OTHER_APP, 'U1')).toBeUndefined();
  });

  it('reads made together (one statement) each get the profile a read alone gets, in any mix of users and applications', async () => {
    const asked: [string, string][] = [
      [APP, 'U1'],
      [APP, 'U-alone'],
      [APP, 'U-nobody'],
      [APP, 'U-elsewhere'],
      [OTHER_APP, 'U-elsewhere'],
      [APP, 'U1'],
    ];
    const one = [];
    for (const [application, userID] of asked) one.push(await query.find(application, userID));
    expect(one.map((profile) => profile?.userID)).toEqual(['U1', 'U-alone', undefined, undefined, 'U-elsewhere', 'U1']);

    const together = await Promise.all(asked.map(([application, userID]) => query.find(application, userID)));
    expect(together).toEqual(one);
  });

  // Last: it replaces the read model the other tests read.
  it('after a replay swaps the read model in (schemas renamed), the next read reads the new one on every connection', async () => {
    // Every pooled connection has prepared both statements (one read, reads together) against the
    // live tables, and run them often enough for PostgreSQL to keep a generic plan.
    for (let round = 0; round < 8; round++) {
      await Promise.all([query.find(APP, 'U1'), query.find(APP, 'U1')]);
      await query.find(APP, 'U1');
    }
    const tables = ['users', 'profile_versions', 'devices', 'recipients'];
    await dataSource.transaction(async (em) => {
      await em.query('CREATE SCHEMA projection_rebuild');
      for (const table of tables) await em.query(`CREATE TABLE projection_rebuild.${table} (LIKE projection.${table} INCLUDING ALL)`);
      await em.query(
        `INSERT INTO projection_rebuild.users (application, user_id, status, profile_user_name, created_at, updated_at)
         VALUES ($1, 'U1', 'inactive', 'Rebuilt', now(), now())`,
        [APP],
      );
    });
    // The replay's swap, keeping the old schema (so nothing forces a re-plan but the rename itself).
    await dataSource.transaction(async (em) => {
      await em.query('ALTER SCHEMA projection RENAME TO projection_retired');
      await em.query('ALTER SCHEMA projection_rebuild RENAME TO projection');
    });

    const profiles = await Promise.all(Array.from({ length: 4 }, () => query.find(APP, 'U1')));
    for (const profile of profiles) {
      expect(profile).toMatchObject({ userName: 'Rebuilt', active: false, channels: { push: [], email: [], sms: [] }, version: 0 });
    }
  });
});
