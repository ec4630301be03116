import { DataSource } from 'typeorm';
import { AnyEvent, decodeEnvelope, newEnvelope } from '@omni/contracts';
import { createServiceDataSource } from '@omni/persistence';
import { TestDatabase, testDatabase } from '@omni/testing';
import { PROJECTION_SCHEMA } from '../src/config';
import { Fold, createFold } from '../src/fold';

/**
 * A user's status in the read model is the one of their latest status event by event time, in
 * whatever order the profile-service's and the channel services' topics are folded (DESIGN
 * semantics 3; Projection.ensureUser).
 */
describe("a user's status does not depend on the order the topics are folded in", () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let fold: Fold;
  let runs = 0;

  beforeAll(async () => {
    db = await testDatabase();
    dataSource = await createServiceDataSource({ url: db.url, schema: PROJECTION_SCHEMA, applicationName: 'user-status-order-test', poolSize: 2 }).initialize();
    fold = createFold(dataSource, { schema: PROJECTION_SCHEMA, snapshots: true });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  /** Events of one application, at the given second after 09:00 (each aggregate's versions counted in order). */
  function history(steps: [second: number, type: string, aggregateId: string, payload: unknown][]): (application: string) => AnyEvent[] {
    return (application) => {
      const versions = new Map<string, number>();
      return steps.map(([second, type, aggregateId, payload]) => {
        const aggregate = `${type.split('.')[0]}:${aggregateId}`;
        const version = (versions.get(aggregate) ?? 0) + 1;
        versions.set(aggregate, version);
        const time = new Date(Date.parse('2025-03-01T09:00:00.000Z') + second * 1000);
        const event = newEnvelope({ type, application, aggregateId, aggregateVersion: version, payload, time });
        return decodeEnvelope(JSON.parse(JSON.stringify(event)) as Record<string, unknown>) as AnyEvent;
      });
    };
  }

  /** The user's events first, or the channel's first: each topic in its own order. */
  const ORDERS: Record<string, (events: AnyEvent[]) => AnyEvent[]> = {
    'as they happened': (events) => events,
    'the user first': (events) => [...events.filter((e) => e.type.startsWith('user.')), ...events.filter((e) => !e.type.startsWith('user.'))],
    'the channel first': (events) => [...events.filter((e) => !e.type.startsWith('user.')), ...events.filter((e) => e.type.startsWith('user.'))],
  };

  /** Fold the history in every order, each into a fresh application; the status and the snapshot's `active` of u1 per order. */
  async function statusInEveryOrder(make: (application: string) => AnyEvent[]): Promise<Record<string, { status: string; active: boolean }>> {
    const result: Record<string, { status: string; active: boolean }> = {};
    for (const [order, arrange] of Object.entries(ORDERS)) {
      const application = `app-user-status-${++runs}`;
      for (const event of arrange(make(application))) {
        const handler = fold.handlers.get(event.type);
        if (!handler) throw new Error(`no projector for ${event.type}`);
        await handler.handle(event as never, { topic: 'test', partition: 0, offset: '0', consumer: 'test' });
      }
      const [row] = await dataSource.query<{ status: string }[]>(`SELECT status FROM ${fold.model.tables.users} WHERE application = $1 AND user_id = 'u1'`, [
        application,
      ]);
      const profile = (await fold.composer.composeAll(dataSource.manager)).find((p) => p.application === application && p.userID === 'u1');
      result[order] = { status: row?.status, active: profile?.active as boolean };
    }
    return result;
  }

  const inEveryOrder = (status: 'active' | 'inactive') =>
    Object.fromEntries(Object.keys(ORDERS).map((order) => [order, { status, active: status === 'active' }]));

  const contact = (userID: string | null) => ({
    channel: 'email',
    address: 'r0@example.com',
    properties: {},
    userID,
    userName: null,
    tags: [],
    userData: {},
    status: 'active',
    verification: 'none',
  });

  it('a contact assigned to a deactivated user after the deactivation reactivates them, whichever topic is folded first', async () => {
    const make = history([
      [1, 'recipient.registered', 'r0', contact(null)],
      [2, 'user.registered', 'u1', { userName: null }],
      [3, 'user.deactivated', 'u1', { status: 'inactive' }],
      [4, 'recipient.user-assigned', 'r0', { userID: 'u1', userName: null, previousUserID: null }],
    ]);
    expect(await statusInEveryOrder(make)).toEqual(inEveryOrder('active'));
  });

  it('a contact assigned before the deactivation leaves the user inactive, even folded after it', async () => {
    const make = history([
      [1, 'recipient.registered', 'r0', contact(null)],
      [2, 'user.registered', 'u1', { userName: null }],
      [3, 'recipient.user-assigned', 'r0', { userID: 'u1', userName: null, previousUserID: null }],
      [4, 'user.deactivated', 'u1', { status: 'inactive' }],
    ]);
    expect(await statusInEveryOrder(make)).toEqual(inEveryOrder('inactive'));
  });

  it('a contact registering for a user deactivated before their registration is folded reactivates them', async () => {
    const make = history([
      [1, 'user.registered', 'u1', { userName: 'Ann' }],
      [2, 'user.deactivated', 'u1', { status: 'inactive' }],
      [3, 'recipient.registered', 'r0', contact('u1')],
    ]);
    expect(await statusInEveryOrder(make)).toEqual(inEveryOrder('active'));
  });

  it('renaming a deactivated user or changing their data leaves them inactive (as in the profile-service)', async () => {
    const make = history([
      [1, 'recipient.registered', 'r0', contact('u1')],
      [2, 'user.registered', 'u1', { userName: 'Ann' }],
      [3, 'user.deactivated', 'u1', { status: 'inactive' }],
      [4, 'user.renamed', 'u1', { userName: 'Bo' }],
      [5, 'user.user-data-changed', 'u1', { userData: { age: 42 } }],
    ]);
    expect(await statusInEveryOrder(make)).toEqual(inEveryOrder('inactive'));
  });

  it('at equal event times the deactivation wins, in either order', async () => {
    const make = history([
      [1, 'recipient.registered', 'r0', contact(null)],
      [2, 'user.registered', 'u1', { userName: null }],
      [3, 'user.deactivated', 'u1', { status: 'inactive' }],
      [3, 'recipient.user-assigned', 'r0', { userID: 'u1', userName: null, previousUserID: null }],
    ]);
    expect(await statusInEveryOrder(make)).toEqual(inEveryOrder('inactive'));
  });

  it('a user registered and deactivated at one instant (one command) is inactive', async () => {
    const make = history([
      [1, 'recipient.registered', 'r0', contact('u1')],
      [2, 'user.registered', 'u1', { userName: null }],
      [2, 'user.deactivated', 'u1', { status: 'inactive' }],
    ]);
    expect(await statusInEveryOrder(make)).toEqual(inEveryOrder('inactive'));
  });
});
