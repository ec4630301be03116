import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AnyEvent, PROFILE_SNAPSHOT, PROFILE_SNAPSHOT_ERASED, ProfileSnapshot, Topics, profileSnapshotKey } from '@omni/contracts';
import { createLogger } from '@omni/observability';
import { EventSealer, SubjectKeys } from '@omni/personal-data';
import { TestDatabase, TestKafka, testDatabase, testKafka, waitFor } from '@omni/testing';
import { ProfileSnapshotComposer } from '../src/snapshots/profile-snapshot.composer';
import { ProfileSnapshots } from '../src/snapshots/profile-snapshots';
import { SnapshotRelay } from '../src/snapshots/snapshot-relay';
import { EventStream, realisticHistory } from './event-stream';
import { lastValuePerKey, publishEvents, readTopicToEnd, startProjection, waitForFold } from './projection-harness';

const logger = createLogger('projection-snapshots-test', 'silent');

describe('profile snapshots on the real broker and database', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: INestApplication;
  let dataSource: DataSource;

  const relayDrained = () =>
    waitFor(async () => (await app.get(SnapshotRelay).backlog()) === 0, { timeoutMs: 30_000, description: 'the snapshot outbox relayed' });

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    app = await startProjection(db.url, kafka, logger);
    dataSource = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('a new subscriber bootstraps every profile of the read model from profile.snapshots alone', async () => {
    const APP = 'app-snapshots-bootstrap';
    const events = realisticHistory(APP, 12, 7);
    await publishEvents(kafka, logger, events);
    await waitForFold(dataSource, events);
    await relayDrained();

    const records = await readTopicToEnd(kafka, Topics.profileSnapshots);
    const bootstrapped = [...lastValuePerKey(records)]
      .filter(([key]) => key.startsWith(`${APP}:`))
      .map(([, value]) => JSON.parse(value) as ProfileSnapshot)
      .sort((a, b) => a.userID.localeCompare(b.userID));
    const readModel = (await app.get(ProfileSnapshotComposer).composeAll(dataSource.manager)).filter((p) => p.application === APP);

    expect(readModel.length).toBe(12);
    expect(bootstrapped.map(({ version: _version, ...profile }) => profile)).toEqual(readModel);
    // Versions only grow per key, and every record says what it is.
    const byKey = new Map<string, number>();
    for (const record of records.filter((r) => r.key.startsWith(`${APP}:`))) {
      expect(record.headers['message-type']).toBe(PROFILE_SNAPSHOT);
      const { version } = JSON.parse(record.value ?? '{}') as ProfileSnapshot;
      expect(version).toBeGreaterThan(byKey.get(record.key) ?? 0);
      byKey.set(record.key, version);
    }
    // The channels carry what a subscriber needs: tags, active and verification state.
    const withContact = bootstrapped.find((profile) => profile.channels.email.length + profile.channels.sms.length > 0);
    expect(withContact).toBeDefined();
    const contact = [...withContact!.channels.email, ...withContact!.channels.sms][0];
    expect(contact).toEqual(expect.objectContaining({ tags: expect.any(Array), active: expect.any(Boolean), verification: expect.any(String) }));
  });

  it('a device moving from one user to another publishes the snapshots of both users', async () => {
    const APP = 'app-snapshots-move';
    const stream = new EventStream(APP);
    const setup = [
      stream.userRegistered('alice', 'Alice'),
      stream.userRegistered('bob', 'Bob'),
      stream.deviceRegistered('phone', { userID: 'alice', userName: 'Alice', tags: ['vip'] }),
    ];
    await publishEvents(kafka, logger, setup);
    await waitForFold(dataSource, setup);
    await relayDrained();
    const seen = new Set((await readTopicToEnd(kafka, Topics.profileSnapshots)).map((r) => `${r.partition}:${r.offset}`));

    const move = [stream.deviceUserAssigned('phone', 'bob', 'Bob', 'alice')];
    await publishEvents(kafka, logger, move);
    await waitForFold(dataSource, move);
    await relayDrained();

    const after = (await readTopicToEnd(kafka, Topics.profileSnapshots)).filter((r) => !seen.has(`${r.partition}:${r.offset}`));
    const snapshots = after.filter((r) => r.key.startsWith(`${APP}:`)).map((r) => JSON.parse(r.value ?? '{}') as ProfileSnapshot);
    const alice = snapshots.find((s) => s.userID === 'alice');
    const bob = snapshots.find((s) => s.userID === 'bob');
    expect(alice?.channels.push).toEqual([]);
    expect(bob?.channels.push).toEqual([expect.objectContaining({ deviceID: 'phone', tags: ['vip'], active: true, platform: 'iOS' })]);
    expect(bob?.userName).toBe('Bob');
  });

  it('events folded in one batch publish one snapshot per user touched, each the profile after the whole batch', async () => {
    const APP = 'app-snapshots-batch';
    const stream = new EventStream(APP);
    const setup = ['ann', 'ben', 'cid'].map((user) => stream.userRegistered(user, user.toUpperCase()));
    await publishEvents(kafka, logger, setup);
    await waitForFold(dataSource, setup);
    await relayDrained();
    const seen = new Set((await readTopicToEnd(kafka, Topics.profileSnapshots)).map((r) => `${r.partition}:${r.offset}`));

    // One send to one partition (one device): one record batch, which the projection folds in one transaction.
    // One at a time, these would publish five snapshots: ann; ann and ben; ben and cid.
    const moves = [
      stream.deviceRegistered('watch', { userID: 'ann', userName: 'ANN' }),
      stream.deviceUserAssigned('watch', 'ben', 'BEN', 'ann'),
      stream.deviceUserAssigned('watch', 'cid', 'CID', 'ben'),
    ];
    await publishEvents(kafka, logger, moves);
    await waitForFold(dataSource, moves);
    await relayDrained();

    const after = (await readTopicToEnd(kafka, Topics.profileSnapshots)).filter((r) => !seen.has(`${r.partition}:${r.offset}`));
    const snapshots = after.filter((r) => r.key.startsWith(`${APP}:`)).map((r) => JSON.parse(r.value ?? '{}') as ProfileSnapshot);
    expect(snapshots.map((snapshot) => snapshot.userID).sort()).toEqual(['ann', 'ben', 'cid']);
    const devicesOf = (user: string) => snapshots.find((snapshot) => snapshot.userID === user)?.channels.push.map((device) => device.deviceID);
    expect([devicesOf('ann'), devicesOf('ben'), devicesOf('cid')]).toEqual([[], [], ['watch']]);
  });

  it('an erasure publishes a tombstone: the key disappears for a subscriber that bootstraps', async () => {
    const APP = 'app-snapshots-erase';
    const stream = new EventStream(APP);
    const events = [stream.userRegistered('carol', 'Carol'), stream.deviceRegistered('tablet', { userID: 'carol' })];
    await publishEvents(kafka, logger, events);
    await waitForFold(dataSource, events);
    await relayDrained();
    const key = profileSnapshotKey(APP, 'carol');
    expect(lastValuePerKey(await readTopicToEnd(kafka, Topics.profileSnapshots)).has(key)).toBe(true);

    await dataSource.transaction((em) => app.get(ProfileSnapshots).erase(em, APP, 'carol'));
    app.get(SnapshotRelay).wake();
    await relayDrained();

    const records = await readTopicToEnd(kafka, Topics.profileSnapshots);
    const last = records.filter((r) => r.key === key).at(-1);
    expect(last).toMatchObject({ value: null, headers: expect.objectContaining({ 'message-type': PROFILE_SNAPSHOT_ERASED }) });
    expect(lastValuePerKey(records).has(key)).toBe(false);
  });

  it('an event sealed with a key that an erasure earlier in the same batch deleted does not open', async () => {
    const APP = 'app-erase-in-batch';
    const stream = new EventStream(APP);
    const [registered, erased, renamed] = [
      stream.userRegistered('dora', 'Dora'),
      stream.event('user.erased', 'dora', { status: 'erased' }),
      stream.userRenamed('dora', 'Dora again'),
    ].map((event) => ({ ...event, subject: 'dora' }));
    // Sealed as the profile-service seals them: every one with Dora's key, under her key id.
    const sealed = await new EventSealer().seal(dataSource, [registered, erased, renamed]);
    const { keyId } = (await new SubjectKeys().find(dataSource, APP, 'dora'))!;
    const keyExists = async () => ((await dataSource.query('SELECT 1 FROM personal_data.subject_keys WHERE key_id = $1', [keyId])) as unknown[]).length > 0;
    expect(await keyExists()).toBe(true);

    // One send on one partition: folded in one transaction, the rename after the erasure.
    await publishEvents(kafka, logger, sealed as AnyEvent[]);
    await waitFor(async () => !(await keyExists()), { timeoutMs: 30_000, description: 'the erasure folded (the key deleted)' });

    const users = await dataSource.query('SELECT user_id FROM projection.users WHERE application = $1', [APP]);
    expect(users).toEqual([]);
  });
});
