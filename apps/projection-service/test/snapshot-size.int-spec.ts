import { DataSource } from 'typeorm';
import { DEFAULT_CHANNEL_LIMITS, MAX_CHANNELS_PER_USER, decodeEnvelope, messageKey } from '@omni/contracts';
import { MAX_RECORD_BYTES } from '@omni/messaging';
import { createServiceDataSource, queryRows, TransactionRunner } from '@omni/persistence';
import { TestDatabase, testDatabase } from '@omni/testing';
import { PROJECTION_SCHEMA } from '../src/config';
import { Fold, createFold } from '../src/fold';
import { EventStream } from './event-stream';

const APP = 'app-snapshot-size';

/**
 * What one user's profile snapshot weighs on the snapshot topic (sealed, as published) with as many
 * channels as the limits allow (#25, ADR 0012): the largest record a write can cause must fit in one
 * Kafka record, and a batch writes one snapshot per user, not one per change.
 */
describe("a user's snapshot at the channel limits", () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let fold: Fold;

  beforeAll(async () => {
    db = await testDatabase();
    dataSource = await createServiceDataSource({ url: db.url, schema: PROJECTION_SCHEMA, applicationName: 'snapshot-size-test', poolSize: 2 }).initialize();
    fold = createFold(dataSource, { schema: PROJECTION_SCHEMA, snapshots: true });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  /** Folds a user with `channels` push devices (ids of 100 characters) and as many contacts in one batch; the snapshot rows written for them, in bytes. */
  async function snapshotsOf(userID: string, channels: number): Promise<number[]> {
    const stream = new EventStream(APP);
    const events = [
      ...Array.from({ length: channels }, (_, index) =>
        stream.deviceRegistered(`${userID}-${String(index).padStart(3, '0')}-${'d'.repeat(90)}`.slice(0, 100), { userID, userName: 'Ada Lovelace', tags: ['news', 'vip'] }),
      ),
      ...Array.from({ length: channels }, (_, index) =>
        stream.recipientRegistered(`email-${userID}-${index}`, { channel: 'email', address: `ada.${index}.${userID}@example.com`, userID }),
      ),
    ];
    await new TransactionRunner(dataSource).batch(async () => {
      for (const event of events) {
        const decoded = decodeEnvelope(JSON.parse(JSON.stringify(event)) as Record<string, unknown>);
        await fold.handlers.get(decoded.type)!.handle(decoded as never, { topic: 'test', partition: 0, offset: '0', consumer: 'test' });
      }
    });
    const rows = await queryRows<{ bytes: number }>(
      dataSource,
      `SELECT octet_length(envelope::text) AS bytes FROM ${fold.model.tables.outbox} WHERE message_key LIKE $1 ORDER BY id`,
      [`${messageKey(APP, '')}%`],
    );
    await dataSource.query(`DELETE FROM ${fold.model.tables.outbox}`);
    return rows.map((row) => row.bytes);
  }

  it('at the default and the highest limits, one snapshot per batch, within one Kafka record', async () => {
    const one = await snapshotsOf('U-one', 1);
    const atDefault = await snapshotsOf('U-default', DEFAULT_CHANNEL_LIMITS.devicesPerUser);
    const atMost = await snapshotsOf('U-most', MAX_CHANNELS_PER_USER);

    for (const written of [one, atDefault, atMost]) expect(written).toHaveLength(1);
    expect(atDefault[0]).toBeGreaterThan(one[0]);
    expect(atMost[0]).toBeGreaterThan(atDefault[0]);
    expect(atMost[0]).toBeLessThan(MAX_RECORD_BYTES / 2);
  });
});
