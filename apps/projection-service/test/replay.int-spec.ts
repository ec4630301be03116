import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createLogger } from '@omni/observability';
import { createServiceDataSource } from '@omni/persistence';
import { TestDatabase, TestKafka, testDatabase, testKafka } from '@omni/testing';
import { ReplayProgress, replay } from '../src/replay/replay';
import { EventStream, realisticHistory } from './event-stream';
import { dumpReadModel, publishEvents, startProjection, waitForFold } from './projection-harness';

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

    // Live reads throughout (what the gateway does): none may fail.
    let reads = 0;
    const failures: unknown[] = [];
    let reading = true;
    const readLoop = (async () => {
      while (reading) {
        try {
          await reader.query(
            `SELECT u.user_id, u.user_name, count(d.device_id) FROM projection.users u
               LEFT JOIN projection.devices d ON d.application = u.application AND d.user_id = u.user_id
              WHERE u.application = $1 GROUP BY u.user_id, u.user_name`,
            [APP],
          );
          await reader.query('SELECT version FROM projection.entity_versions WHERE application = $1 LIMIT 5', [APP]);
          reads += 1;
        } catch (error) {
          failures.push(error);
        }
      }
    })();

    const settings = kafka.settings('projection-replay');
    const first = await replay({ databaseUrl: db.url, kafka: settings, logger, stopAfterEvents: 500 });
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
        `${reads} live reads, none failed\n`,
    );
  }, 120_000);
});
