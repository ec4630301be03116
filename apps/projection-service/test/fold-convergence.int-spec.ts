import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { AnyEvent } from '@omni/contracts';
import { createServiceDataSource } from '@omni/persistence';
import { TestDatabase, testDatabase } from '@omni/testing';
import { PROJECTION_SCHEMA } from '../src/config';
import { Fold, createFold } from '../src/fold';
import { EventStream } from './event-stream';
import { dumpReadModel, withoutUpdatedAt } from './projection-harness';

const APP = 'app-convergence';
const USERS = ['u1', 'u2', 'u3'] as const;
const NAMES = [null, 'Ann', 'Bo'] as const;

/** One step of an aggregate's life, turned into its event by `build` (so versions follow its order). */
type UserOp = { op: 'rename'; name: (typeof NAMES)[number] } | { op: 'data'; age: number };
type DeviceOp =
  | { op: 'assign'; user: string; name: (typeof NAMES)[number] }
  | { op: 'remove' }
  | { op: 'tags'; tags: string[] }
  | { op: 'deactivate' }
  | { op: 'reregister'; user: string | null }
  | { op: 'update'; language: string };
type RecipientOp = { op: 'assign'; user: string } | { op: 'remove' } | { op: 'tags'; tags: string[] } | { op: 'verify' } | { op: 'request' } | { op: 'deactivate' };

const user = fc.constantFrom(...USERS);
const name = fc.constantFrom(...NAMES);
const tags = fc.subarray(['vip', 'news', 'beta']);
const userOps = fc.array(fc.oneof(fc.record({ op: fc.constant('rename' as const), name }), fc.record({ op: fc.constant('data' as const), age: fc.nat(99) })), { maxLength: 3 });
const deviceOps = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('assign' as const), user, name }),
    fc.record({ op: fc.constant('remove' as const) }),
    fc.record({ op: fc.constant('tags' as const), tags }),
    fc.record({ op: fc.constant('deactivate' as const) }),
    fc.record({ op: fc.constant('reregister' as const), user: fc.option(user, { nil: null }) }),
    fc.record({ op: fc.constant('update' as const), language: fc.constantFrom('en', 'nl') }),
  ),
  { maxLength: 5 },
);
const recipientOps = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('assign' as const), user }),
    fc.record({ op: fc.constant('remove' as const) }),
    fc.record({ op: fc.constant('tags' as const), tags }),
    fc.record({ op: fc.constant('verify' as const) }),
    fc.record({ op: fc.constant('request' as const) }),
    fc.record({ op: fc.constant('deactivate' as const) }),
  ),
  { maxLength: 4 },
);

interface History {
  users: { registered: boolean; name: (typeof NAMES)[number]; ops: UserOp[] }[];
  devices: { user: string | null; name: (typeof NAMES)[number]; ops: DeviceOp[] }[];
  recipients: { user: string | null; pending: boolean; ops: RecipientOp[] }[];
}

const history: fc.Arbitrary<History> = fc.record({
  users: fc.tuple(...USERS.map(() => fc.record({ registered: fc.boolean(), name, ops: userOps }))),
  devices: fc.array(fc.record({ user: fc.option(user, { nil: null }), name, ops: deviceOps }), { minLength: 1, maxLength: 3 }),
  recipients: fc.array(fc.record({ user: fc.option(user, { nil: null }), pending: fc.boolean(), ops: recipientOps }), { minLength: 1, maxLength: 2 }),
});

/** Each aggregate's events, in its own order. */
function build(h: History): AnyEvent[][] {
  const stream = new EventStream(APP);
  const perAggregate: AnyEvent[][] = [];
  h.users.forEach((spec, i) => {
    const id = USERS[i];
    const events: AnyEvent[] = [];
    if (spec.registered) events.push(stream.userRegistered(id, spec.name));
    for (const op of spec.ops) events.push(op.op === 'rename' ? stream.userRenamed(id, op.name) : stream.userDataChanged(id, { age: op.age }));
    perAggregate.push(events);
  });
  h.devices.forEach((spec, i) => {
    const id = `d${i}`;
    let owner = spec.user;
    const events: AnyEvent[] = [stream.deviceRegistered(id, { userID: owner, userName: owner ? spec.name : null })];
    for (const op of spec.ops) {
      switch (op.op) {
        case 'assign':
          events.push(stream.deviceUserAssigned(id, op.user, op.name, owner));
          owner = op.user;
          break;
        case 'remove':
          if (owner) events.push(stream.deviceUserRemoved(id, owner));
          owner = null;
          break;
        case 'tags':
          events.push(stream.deviceTagsChanged(id, op.tags));
          break;
        case 'deactivate':
          events.push(stream.deviceDeactivated(id, owner));
          break;
        case 'reregister':
          events.push(stream.deviceRegistered(id, { userID: op.user, userName: op.user ? `Device ${op.user}` : null }));
          owner = op.user;
          break;
        case 'update':
          events.push(stream.deviceUpdated(id, op.language));
          break;
      }
    }
    perAggregate.push(events);
  });
  h.recipients.forEach((spec, i) => {
    const id = `r${i}`;
    const address = `r${i}@example.com`;
    let owner = spec.user;
    const events: AnyEvent[] = [stream.recipientRegistered(id, { channel: 'email', address, userID: owner, verification: spec.pending ? 'pending' : 'none' })];
    for (const op of spec.ops) {
      switch (op.op) {
        case 'assign':
          events.push(stream.recipientUserAssigned(id, op.user, null, owner));
          owner = op.user;
          break;
        case 'remove':
          if (owner) events.push(stream.recipientUserRemoved(id, owner));
          owner = null;
          break;
        case 'tags':
          events.push(stream.recipientTagsChanged(id, op.tags));
          break;
        case 'verify':
          events.push(stream.recipientVerified(id, owner));
          break;
        case 'request':
          events.push(stream.recipientVerificationRequested(id, 'email', address));
          break;
        case 'deactivate':
          events.push(stream.recipientDeactivated(id, owner));
          break;
      }
    }
    perAggregate.push(events);
  });
  return perAggregate.filter((events) => events.length > 0);
}

/** Merge the aggregates' queues by `picks` (each queue keeps its order), then redeliver some events later on. */
function interleave(queues: AnyEvent[][], picks: number[], duplicates: { which: number; after: number }[]): AnyEvent[] {
  const cursors = queues.map(() => 0);
  const merged: AnyEvent[] = [];
  let p = 0;
  while (merged.length < queues.reduce((n, q) => n + q.length, 0)) {
    const open = queues.map((q, i) => i).filter((i) => cursors[i] < queues[i].length);
    const i = open[(picks[p++ % Math.max(1, picks.length)] ?? 0) % open.length];
    merged.push(queues[i][cursors[i]++]);
  }
  for (const { which, after } of duplicates) {
    const original = which % merged.length;
    const at = original + 1 + (after % (merged.length - original));
    merged.splice(at, 0, merged[original]);
  }
  return merged;
}

describe('the fold converges whatever the interleaving across aggregates', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let fold: Fold;

  beforeAll(async () => {
    db = await testDatabase();
    dataSource = await createServiceDataSource({ url: db.url, schema: PROJECTION_SCHEMA, applicationName: 'fold-convergence-test', poolSize: 2 }).initialize();
    fold = createFold(dataSource, { schema: PROJECTION_SCHEMA, snapshots: true });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  async function applyAll(events: AnyEvent[]): Promise<unknown> {
    const t = fold.model.tables;
    await dataSource.query(`TRUNCATE ${t.users}, ${t.devices}, ${t.recipients}, ${t.entityVersions}, ${t.profileVersions}, ${t.outbox}`);
    for (const event of events) {
      const handler = fold.handlers.get(event.type);
      if (!handler) throw new Error(`no projector for ${event.type}`);
      await handler.handle(event as never, { topic: 'test', partition: 0, offset: '0', consumer: 'test' });
    }
    // The read model, and what a subscriber of profile.snapshots ends up with (last snapshot per user).
    const snapshots: { message_key: string; envelope: Record<string, unknown> }[] = await dataSource.query(
      `SELECT DISTINCT ON (message_key) message_key, envelope FROM ${t.outbox} ORDER BY message_key, id DESC`,
    );
    return { readModel: await dumpReadModel(dataSource), snapshots: withoutUpdatedAt(snapshots) };
  }

  it('any interleaving of per-aggregate event sequences, with redeliveries, gives the read model of sequential application', async () => {
    await fc.assert(
      fc.asyncProperty(
        history,
        fc.array(fc.nat(), { minLength: 1, maxLength: 80 }),
        fc.array(fc.record({ which: fc.nat(), after: fc.nat() }), { maxLength: 6 }),
        async (h, picks, duplicates) => {
          const queues = build(h);
          const sequential = await applyAll(queues.flat());
          const shuffled = await applyAll(interleave(queues, picks, duplicates));
          expect(shuffled).toEqual(sequential);
        },
      ),
      { numRuns: 25, seed: Number(process.env.FC_SEED) || undefined },
    );
  });
});
