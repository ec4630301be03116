import { DataSource } from 'typeorm';
import { AnyEvent, decodeEnvelope } from '@omni/contracts';
import { createServiceDataSource, queryRows } from '@omni/persistence';
import { TestDatabase, batchStatementsOf, testDatabase } from '@omni/testing';
import { PROJECTION_SCHEMA } from '../src/config';
import { Fold, createFold } from '../src/fold';
import { EventStream } from './event-stream';

const APP = 'app-version-gate';

describe("the projection's version gate in a consumer's batch", () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let fold: Fold;

  beforeAll(async () => {
    db = await testDatabase();
    dataSource = await createServiceDataSource({ url: db.url, schema: PROJECTION_SCHEMA, applicationName: 'version-gate-test', poolSize: 2 }).initialize();
    fold = createFold(dataSource, { schema: PROJECTION_SCHEMA, snapshots: true });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  /** Folds `events` as one unit of the consumer (its preload first), returning the statements it sent. */
  const foldUnit = (events: AnyEvent[]) =>
    batchStatementsOf(dataSource, async (tx) => {
      const messages = events.map((event) => JSON.parse(JSON.stringify(event)) as Record<string, unknown>);
      await fold.preload(tx.shared()!.em, messages);
      for (const message of messages) {
        const event = decodeEnvelope(message);
        await fold.handlers.get(event.type)!.handle(event as never, { topic: 'test', partition: 0, offset: '0', consumer: 'test' });
      }
    });

  const versionOf = async (deviceId: string) =>
    (
      await queryRows<{ version: number }>(
        dataSource,
        `SELECT version FROM ${fold.model.tables.entityVersions} WHERE application = $1 AND entity_type = 'device' AND entity_id = $2`,
        [APP, deviceId],
      )
    )[0]?.version;

  it('reads every channel version of a unit with one statement, applies each event once, and writes the versions together', async () => {
    const stream = new EventStream(APP);
    const registered = stream.deviceRegistered('gate-1');
    const assigned = stream.deviceUserAssigned('gate-1', 'U-gate', null, null);
    const other = stream.deviceRegistered('gate-2', { userID: 'U-other' });

    const sent = await foldUnit([registered, other, assigned, registered]);

    // The preload (WITH …) and no gate statement (WITH advanced AS …) per event.
    expect(sent[0]).toBe('WITH');
    expect(sent.filter((statement) => statement === 'WITH')).toHaveLength(1);
    expect(await versionOf('gate-1')).toBe(2);
    expect(await versionOf('gate-2')).toBe(1);

    // Next units: a redelivery of the latest event sends nothing but the preload; a newer event updates the version row.
    expect(await foldUnit([assigned])).toEqual(['WITH']);
    const tagged = stream.deviceTagsChanged('gate-1', ['x']);
    await foldUnit([assigned, tagged]);
    expect(await versionOf('gate-1')).toBe(3);
    const [device] = await queryRows<{ user_id: string; tags: string[] }>(
      dataSource,
      `SELECT user_id, tags FROM ${fold.model.tables.devices} WHERE application = $1 AND device_id = 'gate-1'`,
      [APP],
    );
    expect(device).toEqual({ user_id: 'U-gate', tags: ['x'] });
  });

  it('a version another transaction moved since the preload fails the unit, to be folded again one event at a time', async () => {
    const stream = new EventStream(APP);
    const registered = stream.deviceRegistered('gate-raced');
    const failed = batchStatementsOf(dataSource, async (tx) => {
      const message = JSON.parse(JSON.stringify(registered)) as Record<string, unknown>;
      await fold.preload(tx.shared()!.em, [message]);
      // No row to lock at the preload: another fold inserts it meanwhile.
      await dataSource.query(
        `INSERT INTO ${fold.model.tables.entityVersions} (application, entity_type, entity_id, version) VALUES ($1, 'device', 'gate-raced', 1)`,
        [APP],
      );
      const event = decodeEnvelope(message);
      await fold.handlers.get(event.type)!.handle(event as never, { topic: 'test', partition: 0, offset: '0', consumer: 'test' });
    });
    await expect(failed).rejects.toMatchObject({ code: '40001' });
  });
});
