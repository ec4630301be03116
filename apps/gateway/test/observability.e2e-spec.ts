import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApiClient, SERVICE_APPS, TestDatabase, TestKafka, TestStack, createApplication, testDatabase, testKafka, waitFor } from '@omni/testing';

/** Logs and metrics as operators see them, with every service running. */
describe('observability', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let api: ApiClient;
  let sdk: ApiClient;

  /** Personal data written below: no app may print any of it, at any log level. */
  const run = randomUUID().slice(0, 8);
  const personal = {
    userName: `Traced Person ${run}`,
    deviceUserName: `Device Owner ${run}`,
    userDataValue: `zebra-loyalty-${run}`,
    email: `traced.${run}@example.org`,
  };

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    stack = await new TestStack({ databaseUrl: db.url, brokers: kafka.brokers, topicPrefix: kafka.prefix, env: { LOG_LEVEL: 'debug' } }).start();
    const app = await createApplication(stack.gatewayUrl, stack.adminSecret);
    api = new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.masterSecret);
    sdk = new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.applicationSecret);
    expect((await api.post('/application/userdatafields', { key: 'loyalty', label: 'Loyalty', type: 'text' })).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await db?.drop();
  });

  type AppName = Parameters<TestStack['output']>[0];
  const APPS: AppName[] = ['gateway', 'device-service', 'recipient-service', 'profile-service', 'projection-service'];

  const jsonLines = (app: AppName) =>
    stack.output(app).flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });

  /** Wait until each of `apps` has logged a line carrying `correlationId`. */
  async function followedInto(correlationId: string, apps: AppName[]): Promise<void> {
    for (const app of apps) {
      await waitFor(() => jsonLines(app).some((line) => line.correlationId === correlationId), {
        description: `a ${app} log line with the correlation id ${correlationId}`,
      });
    }
  }

  it('one correlation id follows a write from the HTTP answer into the logs of every service it touched', async () => {
    const write = await api.put(`/user/foruserid/U-${randomUUID()}`, { userName: personal.userName });
    expect(write.status).toBe(200);
    const correlationId = write.headers.get('x-correlation-id');
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    await followedInto(correlationId!, ['gateway', 'profile-service', 'projection-service']);
  });

  it("a device's writes are followed through the device-service, under the client's own X-Correlation-Id", async () => {
    const deviceID = `D-${randomUUID()}`;
    const registered = await sdk.post('/device', { deviceID, platform: 'iOS', transport: 'APNS', language: 'en' }, { 'x-correlation-id': `device-${run}` });
    expect(registered.status).toBe(201);
    expect(registered.headers.get('x-correlation-id')).toBe(`device-${run}`);
    await followedInto(`device-${run}`, ['gateway', 'device-service', 'projection-service']);

    const owned = await api.put(`/device/${deviceID}/user`, { userID: `U-${run}`, userName: personal.deviceUserName });
    expect(owned.status).toBe(200);
    const correlationId = owned.headers.get('x-correlation-id');
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    await followedInto(correlationId!, ['gateway', 'device-service', 'projection-service']);
  });

  it("an email contact with its user's data is followed through the profile-service and the recipient-service, under one id", async () => {
    const correlationId = `req.${run}:email_1`;
    const registered = await api.post(
      '/email',
      { email: personal.email, userID: `U-mail-${run}`, userName: personal.userName, userData: { loyalty: personal.userDataValue } },
      { 'X-Correlation-Id': correlationId },
    );
    expect(registered.status).toBe(201);
    expect(registered.headers.get('x-correlation-id')).toBe(correlationId);
    await followedInto(correlationId, ['gateway', 'profile-service', 'recipient-service', 'projection-service']);
  });

  it.each([
    ['too long', 'x'.repeat(65)],
    ['with a space', 'my trace'],
    ['with a character outside [A-Za-z0-9._:-]', 'trace/1'],
  ])('an X-Correlation-Id %s is ignored: the answer carries a generated one, which the services log', async (_, header) => {
    const write = await api.put(`/user/foruserid/U-${randomUUID()}`, { userName: personal.userName }, { 'x-correlation-id': header });
    expect(write.status).toBe(200);
    const correlationId = write.headers.get('x-correlation-id');
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    await followedInto(correlationId!, ['gateway', 'profile-service']);
    for (const app of APPS) expect({ app, logged: stack.output(app).join('').includes(header) }).toEqual({ app, logged: false });
  });

  it('no app prints the user name, the email address or a user data value it was given (at debug level)', async () => {
    // The writes above have been handled by every service (their correlation ids were followed).
    for (const app of APPS) {
      const output = stack.output(app).join('');
      expect(output.length).toBeGreaterThan(0);
      for (const [what, value] of Object.entries(personal)) {
        expect({ app, what, printed: output.includes(value) }).toEqual({ app, what, printed: false });
      }
    }
  });

  it('counts a malformed message it dead-letters in dead_letters_total', async () => {
    const deadLetters = async () => {
      const text = await (await fetch(`${stack.urlOf('profile-service')}/metrics`)).text();
      const match = /^dead_letters_total\{topic="profile\.commands",reason="malformed-json"\} (\d+)/m.exec(text);
      return match ? Number(match[1]) : 0;
    };
    const before = await deadLetters();
    const producer = kafka.client.producer();
    await producer.connect();
    try {
      await producer.send({ topic: `${kafka.prefix}profile.commands`, messages: [{ key: `app:U-${run}`, value: '{"not json' }] });
    } finally {
      await producer.disconnect();
    }
    await waitFor(async () => (await deadLetters()) > before, { description: 'dead_letters_total{topic="profile.commands",reason="malformed-json"} to increase' });
  });

  it('serves Prometheus metrics: HTTP latency per route, commands, consumed messages, outcome waits, lag and backlog', async () => {
    await api.put(`/user/foruserid/U-${randomUUID()}`, { userName: 'Measured' });
    const scrape = async (app: AppName) => (await fetch(`${stack.urlOf(app)}/metrics`)).text();

    const gateway = await scrape('gateway');
    expect(gateway).toMatch(/http_request_duration_seconds_count\{method="PUT",route="\/user\/foruserid\/:userID",status="200"\} [1-9]/);
    expect(gateway).toMatch(/commands_sent_total\{type="user.update"\} [1-9]/);
    expect(gateway).toMatch(/command_outcome_wait_seconds_count\{result="visible"\} [1-9]/);

    const profile = await scrape('profile-service');
    expect(profile).toMatch(/messages_handled_total\{topic="profile.commands",type="user.update",result="handled"\} [1-9]/);
    expect(profile).toMatch(/outbox_backlog \d+/);
    expect(profile).toMatch(/consumer_lag\{topic="profile.commands",partition="\d+"\} \d+/);

    const projection = await scrape('projection-service');
    expect(projection).toMatch(/messages_handled_total\{topic="profile.events",type="user.registered",result="handled"\} [1-9]/);
    expect(projection).toMatch(/projection_event_visible_seconds_count\{entity="user"\} [1-9]/);
  });

  it('every app runs compiled on the supported Node.js LTS (24): its runtime in /metrics, no transpiler loaded', async () => {
    for (const app of ['gateway', ...SERVICE_APPS] as const) {
      const metrics = await (await fetch(`${stack.urlOf(app)}/metrics`)).text();
      expect([app, /nodejs_version_info\{version="v(\d+)\./.exec(metrics)?.[1]]).toEqual([app, '24']);
    }
    for (const pid of stack.pids()) {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(commandLine.some((arg) => /^dist\/apps\/[a-z-]+\/src\/main\.js$/.test(arg))).toBe(true);
      expect(readFileSync(`/proc/${pid}/maps`, 'utf8')).not.toContain('swc');
    }
  });
});
