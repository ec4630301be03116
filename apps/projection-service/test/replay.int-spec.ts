import { isDeepStrictEqual } from 'node:util';
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Topics } from '@omni/contracts';
import { qualify } from '@omni/messaging';
import { createLogger } from '@omni/observability';
import { createServiceDataSource } from '@omni/persistence';
import { TestDatabase, TestKafka, testDatabase, testKafka } from '@omni/testing';
import { ReadModel } from '../src/read-model/read-model.provider';
import { ReplayProgress, TruncatedHistoryError, replay } from '../src/replay/replay';
import { ProfileSnapshotComposer } from '../src/snapshots/profile-snapshot.composer';
import { EventStream, realisticHistory } from './event-stream';
import { dumpReadModel, publishEvents, startProjection, waitForFold, withoutUpdatedAt } from './projection-harness';

const logger = createLogger('projection-replay-test', 'silent');

describe('replay rebuilds the read model from the event topics and swaps it in', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: INestApplication;
  let reader: DataSource;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    app = await startProjection(db.url, kafka, logger);
    reader = await createServiceDataSource({ url: db.url, schema: 'public', applicationName: 'replay-test-reader', poolSize: 2 }).initialize();
  });

  afterAll(async () => {
    await reader?.destroy();
    await app?.close();
    await db?.drop();
  });

  it('the rebuilt read model equals the live one, after an interruption and a resume, while reads go on', async () => {
    const APP = 'app-replay';
    const history = realisticHistory(APP, 300, 11);
    await publishEvents(kafka, logger, history);
    await waitForFold(app.get(DataSource), history);

    // Live reads throughout (what the gateway does): none may fail, and each answers what the live
    // model answered before the replay. The users of `history` do not change meanwhile (the events
    // published during the replay are another user's), so every read of them must equal the first:
    // the users with their device counts, and the full profiles of sampled users (composed as the
    // snapshots are), before the swap from the live tables and after it from the rebuilt ones.
    // updatedAt is left out: the time of the last change is when the fold applied it, not part of
    // the history (dumpReadModel leaves it out for the same reason).
    const composer = new ProfileSnapshotComposer(new ReadModel('projection'));
    const usersAndDevices = () =>
      reader.query(
        `SELECT u.user_id, u.user_name, u.status, count(d.device_id)::int AS devices FROM projection.users u
           LEFT JOIN projection.devices d ON d.application = u.application AND d.user_id = u.user_id
          WHERE u.application = $1 AND u.user_id <> 'late-user' GROUP BY u.user_id, u.user_name, u.status ORDER BY u.user_id`,
        [APP],
      ) as Promise<{ user_id: string; devices: number }[]>;
    const liveUsers = await usersAndDevices();
    // Every 25th user, and the ones with the most devices (profiles with channels in them).
    const sampled = [
      ...new Set([
        ...liveUsers.filter((_, i) => i % 25 === 0).map((u) => u.user_id),
        ...[...liveUsers].sort((a, b) => b.devices - a.devices || a.user_id.localeCompare(b.user_id)).slice(0, 3).map((u) => u.user_id),
      ]),
    ].sort();
    const profiles = async () => withoutUpdatedAt(await composer.compose(reader.manager, APP, sampled));
    const liveProfiles = await profiles();
    expect(liveUsers).toHaveLength(300);
    expect(liveProfiles).toHaveLength(sampled.length);
    expect(liveProfiles.some((profile) => profile.channels.push.length > 0)).toBe(true);

    let reads = 0;
    const failures: unknown[] = [];
    const wrongAnswers: { read: number; what: string; got: unknown }[] = [];
    let reading = true;
    const readLoop = (async () => {
      while (reading) {
        try {
          const users = await usersAndDevices();
          if (!isDeepStrictEqual(users, liveUsers)) wrongAnswers.push({ read: reads, what: 'users and device counts', got: users });
          const read = await profiles();
          if (!isDeepStrictEqual(read, liveProfiles)) wrongAnswers.push({ read: reads, what: `profiles of ${sampled.join(', ')}`, got: read });
          reads += 1;
        } catch (error) {
          failures.push(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 20)); // steady reads, not a load test competing with the replay
      }
    })();

    const settings = kafka.settings('projection-replay');
    // The interrupted run folds in small units, each committed with its checkpoint; the resumed one in the default's.
    const first = await replay({ databaseUrl: db.url, kafka: settings, logger, stopAfterEvents: 500, unitEvents: 37 });
    expect(first.swapped).toBe(false);

    // Meanwhile the live projection keeps folding new events: the replay must pick them up.
    const stream = new EventStream(APP, Date.parse('2025-06-01T00:00:00Z'));
    const later = [stream.userRegistered('late-user', 'Late'), stream.deviceRegistered('late-device', { userID: 'late-user', tags: ['late'] })];
    await publishEvents(kafka, logger, later);
    await waitForFold(app.get(DataSource), later);
    const liveBefore = await dumpReadModel(app.get(DataSource));

    const progress: ReplayProgress[] = [];
    const second = await replay({ databaseUrl: db.url, kafka: settings, logger, onProgress: (p) => progress.push(p) });
    expect(second.swapped).toBe(true);
    expect(second.events).toBeLessThan(history.length + later.length); // resumed, not started over
    expect(first.events + second.events).toBeGreaterThanOrEqual(history.length + later.length);
    expect(progress.at(-1)).toMatchObject({ phase: 'done' });
    expect(progress.at(-1)?.done).toBe(progress.at(-1)?.total);

    reading = false;
    await readLoop;
    expect(failures).toEqual([]);
    expect(wrongAnswers.slice(0, 3)).toEqual([]);
    expect(reads).toBeGreaterThan(0);

    const rebuilt = await dumpReadModel(app.get(DataSource));
    expect(rebuilt).toEqual(liveBefore);
    const schemas: { nspname: string }[] = await reader.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'projection%' ORDER BY 1`);
    expect(schemas.map((s) => s.nspname)).toEqual(['projection']);

    // The live projection goes on folding into the swapped-in tables.
    const after = [stream.deviceTagsChanged('late-device', ['after-swap'])];
    await publishEvents(kafka, logger, after);
    await waitForFold(app.get(DataSource), after);
    const [{ tags }] = await reader.query(`SELECT tags FROM projection.devices WHERE application = $1 AND device_id = 'late-device'`, [APP]);
    expect(tags).toEqual(['after-swap']);

    process.stdout.write(
      `replay: ${first.events + second.events} events (${history.length + later.length} published); ` +
        `resumed run: ${second.events} events in ${second.seconds.toFixed(2)} s = ${Math.round(second.eventsPerSecond)} events/s (incl. swap); ` +
        `${reads} live reads, none failed, each equal to the live answer before the replay\n`,
    );
  }, 180_000);
});

describe('replay refuses event topics whose history was partly deleted', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let reader: DataSource;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    reader = await createServiceDataSource({ url: db.url, schema: 'public', applicationName: 'replay-guard-test', poolSize: 1 }).initialize();
  });

  afterAll(async () => {
    await reader?.destroy();
    await db?.drop();
  });

  it('names the topic and partition whose low watermark is above 0, changes nothing, and goes on only with allowTruncatedHistory', async () => {
    const APP = 'app-truncated';
    await publishEvents(kafka, logger, realisticHistory(APP, 20, 5));
    const settings = kafka.settings('projection-replay');
    const admin = kafka.client.admin();
    await admin.connect();
    try {
      // What retention does to an event topic: the partition's first records are deleted.
      const deviceEvents = qualify(settings, Topics.deviceEvents);
      const [partition] = (await admin.fetchTopicOffsets(deviceEvents)).sort((a, b) => Number(b.high) - Number(a.high));
      const cut = Math.floor(Number(partition.high) / 2);
      expect(cut).toBeGreaterThan(0);
      await admin.deleteTopicRecords({ topic: deviceEvents, partitions: [{ partition: partition.partition, offset: String(cut) }] });
      const low = Number((await admin.fetchTopicOffsets(deviceEvents)).find((p) => p.partition === partition.partition)?.low);
      expect(low).toBe(cut);

      const schemas = async () =>
        ((await reader.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'projection%' ORDER BY 1`)) as { nspname: string }[]).map((s) => s.nspname);
      const before = await schemas();
      const refused = await replay({ databaseUrl: db.url, kafka: settings, logger }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(TruncatedHistoryError);
      expect((refused as TruncatedHistoryError).partitions).toEqual([{ topic: deviceEvents, partition: partition.partition, firstOffset: cut, neededFrom: 0 }]);
      expect((refused as Error).message).toContain(`topic ${deviceEvents} partition ${partition.partition} (starts at offset ${cut}`);
      expect((refused as Error).message).toContain('--allow-truncated-history');
      expect(await schemas()).toEqual(before); // no rebuild schema left behind, nothing swapped

      // With the override it rebuilds from what is left: every remaining event, none of the deleted ones.
      let remaining = 0;
      for (const topic of [Topics.deviceEvents, Topics.recipientEvents, Topics.profileEvents]) {
        for (const p of await admin.fetchTopicOffsets(qualify(settings, topic))) remaining += Number(p.high) - Number(p.low);
      }
      const result = await replay({ databaseUrl: db.url, kafka: settings, logger, allowTruncatedHistory: true });
      expect(result.swapped).toBe(true);
      expect(result.events + result.skipped).toBe(remaining);
      expect(await schemas()).toEqual(['projection']);
    } finally {
      await admin.disconnect();
    }
  }, 120_000);
});
