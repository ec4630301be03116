import { randomUUID } from 'node:crypto';
import { ApiClient, ApplicationCredentials, TestDatabase, TestKafka, TestStack, createApplication, testDatabase, testKafka } from '@omni/testing';

/** Limits that protect the platform (graceful shutdown under load: shutdown.e2e-spec.ts). */
describe('limits', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let app: ApplicationCredentials;
  let api: ApiClient;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    stack = await new TestStack({
      databaseUrl: db.url,
      brokers: kafka.brokers,
      topicPrefix: kafka.prefix,
      env: { RATE_LIMIT_PER_SECOND: '20', RATE_LIMIT_BURST: '20', BODY_LIMIT_BYTES: '65536' },
    }).start();
    app = await createApplication(stack.gatewayUrl, stack.adminSecret);
    api = new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.masterSecret);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await db?.drop();
  });

  it('an application over its rate gets 429 with Retry-After; another application is not affected', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, () => api.get('/application/settings')));
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThan(0);
    expect(limited[0].body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    const other = await createApplication(stack.gatewayUrl, stack.adminSecret, 'Quiet');
    expect((await api.as(other.applicationKey, other.masterSecret).get('/application/settings')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // let the bucket refill for the next tests
  });

  it('a body over the limit gets 413 with the error body and changes nothing', async () => {
    const userID = `U-${randomUUID()}`;
    const huge = await api.put(`/user/foruserid/${userID}`, { userName: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect((await api.get(`/user/foruserid/${userID}`)).status).toBe(404);
  });
});
