import { randomUUID } from 'node:crypto';
import {
  ApiClient,
  ApplicationCredentials,
  SERVICE_APPS,
  TestDatabase,
  TestKafka,
  TestStack,
  createApplication,
  testDatabase,
  testKafka,
  waitFor,
} from '@omni/testing';

/**
 * The backbone end to end: HTTP → gateway → profile.commands → profile-service → outbox →
 * profile.events + command.outcomes → projection-service → read model → the gateway answers.
 * Two gateway instances run, as they would behind a load balancer.
 */
describe('gateway round trip with every service running', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let app: ApplicationCredentials;
  let other: ApplicationCredentials;
  let api: ApiClient;
  let viaSecond: ApiClient;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    stack = await new TestStack({ databaseUrl: db.url, brokers: kafka.brokers, topicPrefix: kafka.prefix, gateways: 2 }).start();
    [app, other] = await Promise.all([
      createApplication(stack.gatewayUrl, stack.adminSecret, 'App A'),
      createApplication(stack.gatewayUrl, stack.adminSecret, 'App B'),
    ]);
    api = new ApiClient(stack.gatewayUrls[0]).as(app.applicationKey, app.masterSecret);
    viaSecond = api.at(stack.gatewayUrls[1]);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await db?.drop();
  });

  it('every app reports ready with its database, broker and (where it consumes) consumer checks', async () => {
    // The gateway consumes nothing from Kafka: it listens to PostgreSQL for command progress, and
    // publishes application events through its outbox.
    for (const url of stack.gatewayUrls) {
      const ready = await new ApiClient(url).get('/health/ready');
      expect([url, ready.status, ready.body]).toEqual([
        url,
        200,
        { status: 'up', checks: { database: 'up', 'database-listener': 'up', kafka: 'up', 'outbox-relay': 'up' } },
      ]);
    }
    // Every service consumes its topics and publishes its outbox; the command services also keep the applications' settings.
    const expected: Record<(typeof SERVICE_APPS)[number], Record<string, string>> = {
      'device-service': { database: 'up', kafka: 'up', consumer: 'up', 'settings-consumer': 'up', 'outbox-relay': 'up' },
      'recipient-service': { database: 'up', kafka: 'up', consumer: 'up', 'settings-consumer': 'up', 'outbox-relay': 'up' },
      'profile-service': { database: 'up', kafka: 'up', consumer: 'up', 'settings-consumer': 'up', 'outbox-relay': 'up' },
      'projection-service': { database: 'up', kafka: 'up', consumer: 'up', 'outbox-relay': 'up' },
    };
    for (const app of SERVICE_APPS) {
      const ready = await new ApiClient(stack.urlOf(app)).get('/health/ready');
      expect([app, ready.status, ready.body]).toEqual([app, 200, { status: 'up', checks: expected[app] }]);
    }
  });

  it('a write answers only once its effect is visible, through either gateway', async () => {
    const userID = `U-${randomUUID()}`;
    const write = await api.put(`/user/foruserid/${userID}`, { userName: 'John Doe' });
    expect(write.status).toBe(200);
    expect(write.body).toEqual({ message: 'user updated' });

    // No waiting: the answer promised visibility.
    for (const client of [api, viaSecond]) {
      const read = await client.get(`/user/foruserid/${userID}`);
      expect(read.status).toBe(200);
      expect(read.body.user).toMatchObject({ userID, userName: 'John Doe', active: true });
    }

    const rename = await viaSecond.put(`/user/foruserid/${userID}`, { userName: 'Johnny' });
    expect(rename.status).toBe(200);
    expect((await api.get(`/user/foruserid/${userID}`)).body.user.userName).toBe('Johnny');
  });

  it('GET /user lists the active users with their count, paged (limit 1 to 1000)', async () => {
    const userID = `U-${randomUUID()}`;
    expect((await api.put(`/user/foruserid/${userID}`, { userName: 'Listed' })).status).toBe(200);
    const listed = await api.get('/user?limit=1000');
    expect(listed.status).toBe(200);
    expect(listed.body.users).toContainEqual(expect.objectContaining({ userID, userName: 'Listed', active: true }));
    expect(listed.body.count).toBe(listed.body.users.length);
    expect((await api.get('/user?limit=1')).body.users).toHaveLength(1);
    const tooMany = await api.get('/user?limit=1001');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.fields).toEqual([expect.objectContaining({ field: 'limit' })]);
  });

  it('Prefer: respond-async answers 202 with a command id that GET /command reports until completed', async () => {
    const userID = `U-${randomUUID()}`;
    const write = await api.put(`/user/foruserid/${userID}`, { userName: 'Async' }, { prefer: 'respond-async' });
    expect(write.status).toBe(202);
    expect(write.headers.get('location')).toBe(`/command/${write.body.commandId}`);
    expect(write.body).toMatchObject({ status: 'pending' });

    const done = await waitFor(async () => {
      const state = await viaSecond.get(`/command/${write.body.commandId}`);
      return state.body.command?.status === 'completed' ? state.body.command : undefined;
    }, { description: 'the command to complete' });
    expect(done).toMatchObject({ id: write.body.commandId, type: 'user.update' });
    expect((await api.get(`/user/foruserid/${userID}`)).body.user.userName).toBe('Async');
  });

  it('a retry with the same Idempotency-Key gets the first answer and is not applied again', async () => {
    const userID = `U-${randomUUID()}`;
    const first = await api.put(`/user/foruserid/${userID}`, { userName: 'A' }, { 'idempotency-key': 'key-1' });
    expect(first.status).toBe(200);
    const later = await api.put(`/user/foruserid/${userID}`, { userName: 'B' }, { 'idempotency-key': 'key-2' });
    expect(later.status).toBe(200);

    const retry = await viaSecond.put(`/user/foruserid/${userID}`, { userName: 'A' }, { 'idempotency-key': 'key-1' });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    // Re-applying the retry would have set the name back to A.
    expect((await api.get(`/user/foruserid/${userID}`)).body.user.userName).toBe('B');
  });

  it('a retry while the first attempt is still pending waits for that same command', async () => {
    const userID = `U-${randomUUID()}`;
    const pending = await api.put(`/user/foruserid/${userID}`, { userName: 'Once' }, { 'idempotency-key': 'pending-key', prefer: 'respond-async' });
    expect(pending.status).toBe(202);
    const retry = await viaSecond.put(`/user/foruserid/${userID}`, { userName: 'Once' }, { 'idempotency-key': 'pending-key' });
    expect(retry.status).toBe(200);
    const state = await api.get(`/command/${pending.body.commandId}`);
    expect(state.body.command.status).toBe('completed');
  });

  it('an Idempotency-Key reused for a different request is refused with 422', async () => {
    const userID = `U-${randomUUID()}`;
    expect((await api.put(`/user/foruserid/${userID}`, { userName: 'X' }, { 'idempotency-key': 'reused' })).status).toBe(200);
    const reused = await api.put(`/user/foruserid/${userID}`, { userName: 'Y' }, { 'idempotency-key': 'reused' });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect((await api.get(`/user/foruserid/${userID}`)).body.user.userName).toBe('X');
  });

  it('bad input gets a 400 naming the field and changes nothing', async () => {
    const userID = `U-${randomUUID()}`;
    const bad = await api.put(`/user/foruserid/${userID}`, { userName: 12 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', fields: expect.arrayContaining([expect.objectContaining({ field: 'userName' })]) });
    const malformed = await api.put(`/user/foruserid/${userID}`, '{"userName": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ status: 400 });
    expect((await api.get(`/user/foruserid/${userID}`)).status).toBe(404);
  });

  it("another application's credentials see the same 404 as for data that does not exist", async () => {
    const userID = `U-${randomUUID()}`;
    const write = await api.put(`/user/foruserid/${userID}`, { userName: 'Private' }, { prefer: 'respond-async' });
    await waitFor(async () => (await api.get(`/user/foruserid/${userID}`)).status === 200, { description: 'the user' });
    const intruder = api.as(other.applicationKey, other.masterSecret);
    const missing = await intruder.get(`/user/foruserid/U-does-not-exist`);
    const foreign = await intruder.get(`/user/foruserid/${userID}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expect((await intruder.get(`/command/${write.body.commandId}`)).status).toBe(404);
    expect((await intruder.get(`/command/${randomUUID()}`)).status).toBe(404);
  });

  it('missing or wrong credentials get 401 with a Basic challenge; the wrong kind of secret gets 403', async () => {
    const anonymous = await new ApiClient(stack.gatewayUrl).get('/user/foruserid/U1');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await api.as(app.applicationKey, 'wrong').get('/user/foruserid/U1')).status).toBe(401);
    expect((await api.as('unknown-key', app.masterSecret).get('/user/foruserid/U1')).status).toBe(401);
    const sdkOnMaster = await api.as(app.applicationKey, app.applicationSecret).put('/user/foruserid/U1', { userName: 'x' });
    expect(sdkOnMaster.status).toBe(403);
    expect(sdkOnMaster.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await api.post('/admin/applications', { name: 'nope' })).status).toBe(403);
  });
});
