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

  /** Folds `events` in one batch; the snapshot rows it wrote, in bytes. */
  async function foldBatch(events: unknown[]): Promise<number[]> {
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

  /**
   * A user with `channels` push devices (ids of 100 characters) and as many contacts, folded in one
   * batch, then one write to it (a device's tags) in a batch of its own: the snapshot rows of each,
   * in bytes, and the write's event.
   */
  async function userWith(userID: string, channels: number): Promise<{ built: number[]; write: number[]; eventBytes: number }> {
    const stream = new EventStream(APP);
    const deviceIds = Array.from({ length: channels }, (_, index) => `${userID}-${String(index).padStart(3, '0')}-${'d'.repeat(90)}`.slice(0, 100));
    const built = await foldBatch([
      ...deviceIds.map((deviceId) => stream.deviceRegistered(deviceId, { userID, userName: 'Ada Lovelace', tags: ['news', 'vip'] })),
      ...Array.from({ length: channels }, (_, index) =>
        stream.recipientRegistered(`email-${userID}-${index}`, { channel: 'email', address: `ada.${index}.${userID}@example.com`, userID }),
      ),
    ]);
    const event = stream.deviceTagsChanged(deviceIds[0], ['news', 'vip', 'sports']);
    const write = await foldBatch([event]);
    return { built, write, eventBytes: Buffer.byteLength(JSON.stringify(event)) };
  }

  it('at the default and the highest limits, one snapshot per batch, within one Kafka record', async () => {
    const one = await userWith('U-one', 1);
    const atDefault = await userWith('U-default', DEFAULT_CHANNEL_LIMITS.devicesPerUser);
    const atMost = await userWith('U-most', MAX_CHANNELS_PER_USER);

    for (const user of [one, atDefault, atMost]) {
      expect(user.built).toHaveLength(1);
      expect(user.write).toHaveLength(1);
    }
    expect(atDefault.built[0]).toBeGreaterThan(one.built[0]);
    expect(atMost.built[0]).toBeGreaterThan(atDefault.built[0]);
    expect(atMost.built[0]).toBeLessThan(MAX_RECORD_BYTES / 2);
  });

  // #25: each change to a user published the whole profile again, so the bytes a user's channels
  // cost grew with their square. A write now costs its event and one snapshot, of the user's size.
  it('one write to a user costs its event and one snapshot: bytes that grow with the channels, not their square', async () => {
    const atDefault = await userWith('U-write-default', DEFAULT_CHANNEL_LIMITS.devicesPerUser);
    const atMost = await userWith('U-write-most', MAX_CHANNELS_PER_USER);
    const perWrite = (user: typeof atMost) => user.eventBytes + user.write[0];

    expect(atMost.eventBytes).toBe(atDefault.eventBytes);
    const ratio = MAX_CHANNELS_PER_USER / DEFAULT_CHANNEL_LIMITS.devicesPerUser;
    expect(perWrite(atMost) / perWrite(atDefault)).toBeLessThan(1.5 * ratio);
    expect(perWrite(atMost)).toBeLessThan(MAX_RECORD_BYTES / 2);
  });
});
