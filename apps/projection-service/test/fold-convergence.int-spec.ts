import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { AnyEvent, decodeEnvelope } from '@omni/contracts';
import { EventOpener, EventSealer } from '@omni/personal-data';
import { TransactionRunner, createServiceDataSource } from '@omni/persistence';
import { TestDatabase, testDatabase } from '@omni/testing';
import { PROJECTION_SCHEMA } from '../src/config';
import { Fold, createFold } from '../src/fold';
import { openedKeys } from '../src/projectors/opened-keys';
import { ServiceModel, Step } from './event-stream';
import { dumpReadModel, withoutUpdatedAt } from './projection-harness';
import { applyReference } from './reference-fold';

const USERS = ['u1', 'u2', 'u3'] as const;
const DEVICES = ['d0', 'd1', 'd2'] as const;
const RECIPIENTS = ['r0', 'r1'] as const;

// A random program of commands to the three services (indices wrap around the users, devices, contacts).
const user = fc.nat(USERS.length - 1);
const device = fc.nat(DEVICES.length);
const recipient = fc.nat(RECIPIENTS.length - 1);
const name = fc.constantFrom(null, 'Ann', 'Bo');
const age = fc.option(fc.nat(99), { nil: null });
const tags = fc.subarray(['vip', 'news', 'beta']);
const owner = fc.oneof(user, fc.constant(null), fc.constant('keep' as const));
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('user.update' as const), user, name }),
  fc.record({ kind: fc.constant('user.data' as const), user, age }),
  fc.record({ kind: fc.constant('user.deactivate' as const), user }),
  { arbitrary: fc.record({ kind: fc.constant('device.register' as const), device, user: owner, name, language: fc.constantFrom('en', 'nl'), located: fc.boolean() }), weight: 3 },
  fc.record({ kind: fc.constant('device.update' as const), device, language: fc.constantFrom('en', 'nl'), located: fc.boolean() }),
  { arbitrary: fc.record({ kind: fc.constant('device.assign' as const), device, user, name }), weight: 2 },
  fc.record({ kind: fc.constant('device.remove' as const), device }),
  fc.record({ kind: fc.constant('device.tags' as const), device, tags }),
  fc.record({ kind: fc.constant('device.data' as const), device, age }),
  fc.record({ kind: fc.constant('device.deactivate' as const), device }),
  fc.record({ kind: fc.constant('device.replace' as const), device }),
  { arbitrary: fc.record({ kind: fc.constant('recipient.register' as const), recipient, user: owner, verify: fc.boolean() }), weight: 3 },
  fc.record({ kind: fc.constant('recipient.update' as const), recipient, language: fc.constantFrom(null, 'en', 'nl') }),
  { arbitrary: fc.record({ kind: fc.constant('recipient.assign' as const), recipient, user, name }), weight: 2 },
  fc.record({ kind: fc.constant('recipient.remove' as const), recipient }),
  fc.record({ kind: fc.constant('recipient.tags' as const), recipient, tags }),
  fc.record({ kind: fc.constant('recipient.data' as const), recipient, age }),
  fc.record({ kind: fc.constant('recipient.request' as const), recipient }),
  fc.record({ kind: fc.constant('recipient.confirm' as const), recipient }),
  fc.record({ kind: fc.constant('recipient.deactivate' as const), recipient }),
  fc.record({ kind: fc.constant('user.erase' as const), user }),
);
/** How a consumer fetches a history (see batches()): partition picks, batch sizes, redeliveries. */
const fetchOrders = [
  fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
  fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
  fc.array(fc.record({ which: fc.nat(), after: fc.nat() }), { maxLength: 3 }),
] as const;

/** The read model's tables without the profiles' versions (how many snapshots were published depends on the batches). */
const withoutVersions = (tables: Record<string, unknown[]>) => ({ ...tables, profile_versions: undefined });

/** Most programs erase a user while their channels keep changing around the erasure. */
const program: fc.Arbitrary<Step[]> = fc
  .tuple(fc.array(step, { minLength: 4, maxLength: 16 }), fc.option(user, { nil: undefined, freq: 4 }), fc.array(step, { maxLength: 10 }))
  .map(([before, erased, after]) => [...before, ...(erased === undefined ? [] : [{ kind: 'user.erase' as const, user: erased }]), ...after]);

/** The events as they are on the topics (sealed, JSON), with the aggregate each belongs to. */
interface Wire {
  aggregate: string;
  partition: string;
  message: Record<string, unknown>;
}

/** Kafka partition of an aggregate: its topic, and one of two partitions by its id. */
function partitionOf(event: AnyEvent): string {
  const hash = [...event.aggregateId].reduce((sum, char) => sum + char.charCodeAt(0), 0);
  return `${event.type.split('.')[0]}-${hash % 2}`;
}

/** Merge the aggregates' queues by `picks` (each queue keeps its order), then redeliver some events later on. */
function interleave<T>(queues: T[][], picks: number[], duplicates: { which: number; after: number }[]): T[] {
  const cursors = queues.map(() => 0);
  const merged: T[] = [];
  const total = queues.reduce((n, q) => n + q.length, 0);
  let p = 0;
  while (merged.length < total) {
    const open = queues.map((_, i) => i).filter((i) => cursors[i] < queues[i].length);
    const i = open[(picks[p++ % Math.max(1, picks.length)] ?? 0) % open.length];
    merged.push(queues[i][cursors[i]++]);
  }
  for (const { which, after } of duplicates) {
    if (merged.length === 0) break;
    const original = which % merged.length;
    const at = original + 1 + (after % (merged.length - original));
    merged.splice(at, 0, merged[original]);
  }
  return merged;
}

/**
 * What the live consumer sees: every partition in its own order, fetched a batch at a time (one
 * partition per batch, `sizes` events or fewer), partitions taking turns by `picks`; some batches
 * are delivered again later (a redelivery after a rebalance before the offsets were committed).
 */
function batches<T extends { partition: string }>(events: T[], picks: number[], sizes: number[], redeliveries: { which: number; after: number }[]): T[][] {
  const partitions = [...new Set(events.map((event) => event.partition))];
  const queues = partitions.map((partition) => events.filter((event) => event.partition === partition));
  const cursors = queues.map(() => 0);
  const fetched: T[][] = [];
  let p = 0;
  while (fetched.reduce((n, batch) => n + batch.length, 0) < events.length) {
    const open = queues.map((_, i) => i).filter((i) => cursors[i] < queues[i].length);
    const i = open[(picks[p % Math.max(1, picks.length)] ?? 0) % open.length];
    const size = 1 + ((sizes[p % Math.max(1, sizes.length)] ?? 0) % 12);
    p += 1;
    fetched.push(queues[i].slice(cursors[i], cursors[i] + size));
    cursors[i] += size;
  }
  for (const { which, after } of redeliveries) {
    if (fetched.length === 0) break;
    const original = which % fetched.length;
    const at = original + 1 + (after % (fetched.length - original));
    fetched.splice(at, 0, fetched[original]);
  }
  return fetched;
}

describe('the fold converges whatever the interleaving across aggregates', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let fold: Fold;
  const tx = () => new TransactionRunner(dataSource);
  const opener = new EventOpener();
  let runs = 0;

  beforeAll(async () => {
    db = await testDatabase();
    dataSource = await createServiceDataSource({ url: db.url, schema: PROJECTION_SCHEMA, applicationName: 'fold-convergence-test', poolSize: 2 }).initialize();
    fold = createFold(dataSource, { schema: PROJECTION_SCHEMA, snapshots: true });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('the generated histories use every event type the projection folds', async () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(program, (steps) => {
        for (const event of new ServiceModel('app-types', USERS, DEVICES, RECIPIENTS).run(steps)) seen.add(event.type);
      }),
      { numRuns: 150, seed: Number(process.env.FC_SEED) || undefined },
    );
    expect([...seen].sort()).toEqual([...fold.handlers.keys()].filter((type) => !type.startsWith('command.')).sort());
  });

  /** A history of a fresh application, sealed as the services seal it (the keys are in the database now). */
  async function produce(steps: Step[]): Promise<{ application: string; erased: string[]; wire: Wire[]; keys: KeyRow[] }> {
    const application = `app-convergence-${++runs}`;
    const events = new ServiceModel(application, USERS, DEVICES, RECIPIENTS).run(steps);
    const sealed = await new EventSealer().seal(dataSource, events);
    const keys: KeyRow[] = await dataSource.query(
      'SELECT key_id, application, user_id, data_key FROM personal_data.subject_keys WHERE application = $1',
      [application],
    );
    const erased = events.filter((event) => event.type === 'user.erased').map((event) => event.aggregateId);
    const wire = events.map((event, i) => ({
      aggregate: `${event.type.split('.')[0]}:${event.aggregateId}`,
      partition: partitionOf(event),
      message: JSON.parse(JSON.stringify(sealed[i])) as Record<string, unknown>,
    }));
    return { application, erased, wire, keys };
  }

  /** An empty read model, and the subject keys as the services left them (an erasure folded before deleted one). */
  async function reset(application: string, keys: KeyRow[]): Promise<void> {
    const t = fold.model.tables;
    await dataSource.query(`TRUNCATE ${t.users}, ${t.devices}, ${t.recipients}, ${t.entityVersions}, ${t.profileVersions}, ${t.outbox}, ${t.commandOutcomes}`);
    await dataSource.query('DELETE FROM personal_data.subject_keys WHERE application = $1', [application]);
    for (const key of keys) {
      await dataSource.query('INSERT INTO personal_data.subject_keys (key_id, application, user_id, data_key) VALUES ($1, $2, $3, $4)', [
        key.key_id,
        key.application,
        key.user_id,
        key.data_key,
      ]);
    }
  }

  /** One message as the consumer handles it: opened (in the batch's transaction, if any), decoded, folded. */
  async function deliver(runner: TransactionRunner, message: Record<string, unknown>): Promise<void> {
    const batch = runner.shared();
    const opened = batch ? await opener.open(batch.em, message, openedKeys(batch)) : await opener.open(dataSource, message);
    if (!opened) return; // sealed with an erased user's key: skipped, as the consumer skips it
    const event = decodeEnvelope(opened);
    const handler = fold.handlers.get(event.type);
    if (!handler) throw new Error(`no projector for ${event.type}`);
    await handler.handle(event as never, { topic: 'test', partition: 0, offset: '0', consumer: 'test' });
  }

  /** One message at a time, each in its own transaction (the consumer's path for a lone message). */
  async function applyOneByOne(messages: Wire[]): Promise<void> {
    const runner = tx();
    for (const { message } of messages) await deliver(runner, message);
  }

  /** Batch by batch, each in one transaction through TransactionRunner.batch, as the consumer's unitOfWork does (its preload first). */
  async function applyInBatches(fetched: Wire[][]): Promise<void> {
    const runner = tx();
    for (const batch of fetched) {
      await runner.batch(async () => {
        await fold.preload(runner.shared()!.em, batch.map(({ message }) => message));
        for (const { message } of batch) await deliver(runner, message);
      });
    }
  }

  /** One message at a time through the reference fold (a statement per change), each in its own transaction. */
  async function applyWithReference(messages: Wire[]): Promise<void> {
    for (const { message } of messages) {
      const opened = await opener.open(dataSource, message);
      if (!opened) continue;
      const event = decodeEnvelope(opened) as AnyEvent;
      await dataSource.transaction((em) => applyReference(em, fold.model.tables, event));
    }
  }

  /** The read model, and the last row per user of the snapshot outbox (what a subscriber of the compacted topic ends with). */
  async function readModel(): Promise<{ tables: Record<string, unknown[]>; snapshots: Map<string, Record<string, unknown> | null> }> {
    const rows: { message_key: string; envelope: Record<string, unknown> | null }[] = await dataSource.query(
      `SELECT DISTINCT ON (message_key) message_key, envelope FROM ${fold.model.tables.outbox} ORDER BY message_key, id DESC`,
    );
    return { tables: await dumpReadModel(dataSource), snapshots: new Map(rows.map((row) => [row.message_key, row.envelope])) };
  }

  /** Nothing of an erased user is left: no profile, no contact, no device of theirs; their last snapshot is a tombstone. */
  function expectErased(application: string, erased: string[], model: Awaited<ReturnType<typeof readModel>>): void {
    for (const userId of erased) {
      const mentions = Object.values(model.tables)
        .flat()
        .map((row) => row as { user_id?: string; entity_type?: string; entity_id?: string })
        .filter((row) => row.user_id === userId || (row.entity_type === 'user' && row.entity_id === userId));
      expect({ userId, mentions }).toEqual({ userId, mentions: [] });
      expect(model.snapshots.get(`${application}:${userId}`) ?? null).toBeNull();
    }
  }

  /** The read model and last snapshots without the profiles' versions (the number of snapshots published, which depends on the order). */
  function withoutProfileVersions(model: Awaited<ReturnType<typeof readModel>>) {
    const snapshots = [...model.snapshots].map(([key, snapshot]) => [key, snapshot && Object.fromEntries(Object.entries(snapshot).filter(([field]) => field !== 'version'))]);
    return { tables: { ...model.tables, profile_versions: undefined }, snapshots };
  }

  /** The last snapshot of every user is the user's profile now (its version aside); an erased user's is a tombstone. */
  async function expectSnapshotsAreProfiles(application: string, model: Awaited<ReturnType<typeof readModel>>): Promise<void> {
    const profiles = await fold.composer.composeAll(dataSource.manager);
    const published = [...model.snapshots]
      .filter(([, snapshot]) => snapshot !== null)
      .map(([, snapshot]) => Object.fromEntries(Object.entries(snapshot!).filter(([key]) => key !== 'version')))
      .sort((a, b) => String(a.userID).localeCompare(String(b.userID)));
    expect(published).toEqual(profiles.filter((profile) => profile.application === application));
  }

  it('any interleaving of per-aggregate event sequences, with redeliveries, gives the read model of sequential application', async () => {
    await fc.assert(
      fc.asyncProperty(
        program,
        fc.array(fc.nat(), { minLength: 1, maxLength: 80 }),
        fc.array(fc.record({ which: fc.nat(), after: fc.nat() }), { maxLength: 6 }),
        async (steps, picks, duplicates) => {
          const { application, erased, wire, keys } = await produce(steps);
          await reset(application, keys);
          await applyOneByOne(wire);
          const sequential = await readModel();
          expectErased(application, erased, sequential);

          const queues = [...new Set(wire.map((w) => w.aggregate))].map((aggregate) => wire.filter((w) => w.aggregate === aggregate));
          await reset(application, keys);
          await applyOneByOne(interleave(queues, picks, duplicates));
          const shuffled = await readModel();
          // A profile's version counts the snapshots the fold published for the user: it only grows,
          // but how many there were depends on the order (ADR 0008) — the state may not.
          expect(withoutUpdatedAt(withoutProfileVersions(shuffled))).toEqual(withoutUpdatedAt(withoutProfileVersions(sequential)));
          await expectSnapshotsAreProfiles(application, shuffled);
        },
      ),
      { numRuns: 15, seed: Number(process.env.FC_SEED) || undefined },
    );
  }, 120_000);

  it('the set-based fold, in batches of any size and order, leaves the read model of the reference fold (a statement per change, event by event)', async () => {
    await fc.assert(
      fc.asyncProperty(
        program,
        ...fetchOrders,
        async (steps, picks, sizes, redeliveries) => {
          const { application, wire, keys } = await produce(steps);
          await reset(application, keys);
          await applyWithReference(wire);
          const reference = await dumpReadModel(dataSource);

          await reset(application, keys);
          await applyInBatches(batches(wire, picks, sizes, redeliveries));
          const setBased = await dumpReadModel(dataSource);
          expect(withoutVersions(setBased)).toEqual(withoutVersions(reference));
        },
      ),
      { numRuns: 25, seed: Number(process.env.FC_SEED) || undefined },
    );
  }, 120_000);

  it('folded in batches (one transaction each, as the consumer folds them), every order of partitions gives the same read model, and the last snapshot of each user is their profile', async () => {
    await fc.assert(
      fc.asyncProperty(
        program,
        ...fetchOrders,
        async (steps, picks, sizes, redeliveries) => {
          const { application, erased, wire, keys } = await produce(steps);
          await reset(application, keys);
          await applyOneByOne(wire);
          const sequential = await readModel();

          await reset(application, keys);
          await applyInBatches(batches(wire, picks, sizes, redeliveries));
          const batched = await readModel();
          // Fewer snapshots than one per event (one per user per batch): their versions differ, not the state.
          expect(withoutVersions(batched.tables)).toEqual(withoutVersions(sequential.tables));
          expectErased(application, erased, batched);
          await expectSnapshotsAreProfiles(application, batched);
        },
      ),
      { numRuns: 15, seed: Number(process.env.FC_SEED) || undefined },
    );
  }, 120_000);
});

interface KeyRow {
  key_id: string;
  application: string;
  user_id: string;
  data_key: Buffer;
}
