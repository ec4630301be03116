import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createServiceDataSource, queryRows } from '@omni/persistence';
import { TestDatabase, testDatabase } from '@omni/testing';
import { CommandRecord, CommandRecords } from '../src/commands/command-records';
import { GATEWAY_SCHEMA } from '../src/config';

/** Concurrent records share one insert; each still learns whether its Idempotency-Key was taken. */
describe('CommandRecords on the real database', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let records: CommandRecords;

  beforeAll(async () => {
    db = await testDatabase();
    dataSource = await createServiceDataSource({ url: db.url, schema: GATEWAY_SCHEMA, applicationName: 'command-records-test', poolSize: 4 }).initialize();
    records = new CommandRecords(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const record = (application: string, idempotencyKey: string | null): CommandRecord => ({
    commandId: randomUUID(),
    application,
    commandType: 'user.update',
    topic: 'profile.commands',
    envelope: idempotencyKey ? '{"id":"x"}' : null,
    idempotencyKey,
    requestHash: 'h',
  });

  it('inserts concurrent records in fewer transactions than records, and reports the key already taken', async () => {
    const application = `app-${randomUUID().slice(0, 8)}`;
    const first = record(application, 'k-1');
    await expect(records.insert(first)).resolves.toBe(true);

    const concurrent = [
      ...Array.from({ length: 40 }, () => record(application, null)),
      record(application, 'k-1'), // taken before
      record(application, 'k-2'),
      record(application, 'k-2'), // the same key twice in one go: the first wins
    ];
    const inserted = await Promise.all(concurrent.map((one) => records.insert(one)));
    expect(inserted).toEqual([...concurrent.slice(0, 40).map(() => true), false, true, false]);

    const rows = await queryRows<{ command_id: string; xmin: string }>(
      dataSource,
      'SELECT command_id::text, xmin::text FROM gateway.commands WHERE application = $1',
      [application],
    );
    expect(rows.map((row) => row.command_id).sort()).toEqual([first, ...concurrent.slice(0, 40), concurrent[41]].map((one) => one.commandId).sort());
    // The first alone, the 43 that came while it ran in at most two statements.
    expect(new Set(rows.map((row) => row.xmin)).size).toBeLessThanOrEqual(3);
  });
});
