import { randomUUID } from 'node:crypto';
import { ApiClient, TestDatabase, TestKafka, TestStack, createApplication, testDatabase, testKafka, waitFor } from '@omni/testing';

/** Logs and metrics as operators see them, with every service running. */
describe('observability', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let api: ApiClient;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    stack = await new TestStack({ databaseUrl: db.url, brokers: kafka.brokers, topicPrefix: kafka.prefix, env: { LOG_LEVEL: 'debug' } }).start();
    const app = await createApplication(stack.gatewayUrl, stack.adminSecret);
    api = new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.masterSecret);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await db?.drop();
  });

  const jsonLines = (app: Parameters<TestStack['output']>[0]) =>
    stack.output(app).flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });

  it('one correlation id follows a write from the HTTP answer into the logs of every service it touched', async () => {
    const write = await api.put(`/user/foruserid/U-${randomUUID()}`, { userName: 'Traced' });
    expect(write.status).toBe(200);
    const correlationId = write.headers.get('x-correlation-id');
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    for (const app of ['gateway', 'profile-service', 'projection-service'] as const) {
      await waitFor(() => jsonLines(app).some((line) => line.correlationId === correlationId), {
        description: `a ${app} log line with the correlation id`,
      });
    }
    // Logs are JSON lines that never carry the payload (personal data).
    expect(stack.output('profile-service').join('\n')).not.toContain('Traced');
  });

  it('serves Prometheus metrics: HTTP latency per route, commands, consumed messages, outcome waits, lag and backlog', async () => {
    await api.put(`/user/foruserid/U-${randomUUID()}`, { userName: 'Measured' });
    const scrape = async (app: Parameters<TestStack['output']>[0]) => (await fetch(`${stack.urlOf(app)}/metrics`)).text();

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
});
