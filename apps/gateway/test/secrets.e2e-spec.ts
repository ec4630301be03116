import { randomBytes, randomUUID } from 'node:crypto';
import { Topics } from '@omni/contracts';
import {
  ApiClient,
  ApiResponse,
  SERVICE_APPS,
  TestDatabase,
  TestKafka,
  TestStack,
  TopicRecorder,
  testDatabase,
  testKafka,
  waitFor,
} from '@omni/testing';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

/** Every property name anywhere in a JSON value. */
function propertyNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(propertyNames);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([name, child]) => [name, ...propertyNames(child)]);
  return [];
}

/**
 * Secrets never leak: not in any app's logs (at the most verbose level), not in any answer after the
 * one that created or rotated them, not on Kafka. Logs are what each app process writes to stdout
 * and stderr (TestStack keeps them), so nothing is hooked or mocked.
 */
describe('secrets are never logged, and never returned after creation', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let admin: ApiClient;
  let applicationEvents: TopicRecorder;

  /** Every secret and Authorization header value the test used, right or wrong, by name. */
  const secrets = new Map<string, string>();
  const remember = (name: string, value: string) => {
    secrets.set(name, value);
    return value;
  };
  /** The answers to everything the test did after the secrets were created (none may contain one). */
  const laterAnswers: { what: string; answer: ApiResponse }[] = [];
  let applicationKey: string;
  let writeCorrelationId: string;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    applicationEvents = await new TopicRecorder(kafka, Topics.applicationEvents).start();
    // Trace: the most verbose level any operator could set.
    stack = await new TestStack({ databaseUrl: db.url, brokers: kafka.brokers, topicPrefix: kafka.prefix, env: { LOG_LEVEL: 'trace' } }).start();
    remember('admin secret', stack.adminSecret);
    admin = new ApiClient(stack.gatewayUrl).as('admin', stack.adminSecret);
    const call = async (what: string, request: Promise<ApiResponse>) => {
      const answer = await request;
      laterAnswers.push({ what, answer });
      return answer;
    };
    const as = (user: string, password: string) => new ApiClient(stack.gatewayUrl).as(user, password);

    // Create: the only answer that shows both secrets.
    const created = await admin.post('/admin/applications', { name: 'Secret keeper' });
    expect(created.status).toBe(201);
    applicationKey = created.body.application.applicationKey;
    const firstMaster = remember('first master secret', created.body.application.masterSecret);
    const firstApplication = remember('first application secret', created.body.application.applicationSecret);

    // Authenticated calls with the right secrets: reads, a settings write, a command through every service.
    expect((await call('settings (master)', as(applicationKey, firstMaster).get('/application/settings'))).status).toBe(200);
    expect((await call('info (sdk)', as(applicationKey, firstApplication).get('/application/info'))).status).toBe(200);
    expect(
      (await call('define a field', as(applicationKey, firstMaster).post('/application/userdatafields', { key: 'nickname', label: 'Nickname', type: 'text' }))).status,
    ).toBe(201);
    const write = await call('a write', as(applicationKey, firstMaster).put(`/user/foruserid/U-${randomUUID()}`, { userName: 'Someone' }));
    expect(write.status).toBe(200);
    writeCorrelationId = write.headers.get('x-correlation-id') ?? '';
    expect(writeCorrelationId).not.toBe('');
    const device = await call('a device (sdk)', as(applicationKey, firstApplication).post('/device', { deviceID: `d-${randomUUID()}`, platform: 'iOS' }));
    expect(device.status).toBe(201);

    // Rotate both: each answer shows only the secret it replaced.
    const rotatedMaster = await admin.post(`/admin/applications/${applicationKey}/rotate`, { secret: 'master' });
    expect(rotatedMaster.status).toBe(200);
    expect(Object.keys(rotatedMaster.body).sort()).toEqual(['applicationKey', 'masterSecret']);
    const master = remember('rotated master secret', rotatedMaster.body.masterSecret);
    const rotatedApplication = await admin.post(`/admin/applications/${applicationKey}/rotate`, { secret: 'application' });
    expect(rotatedApplication.status).toBe(200);
    expect(Object.keys(rotatedApplication.body).sort()).toEqual(['applicationKey', 'applicationSecret']);
    const application = remember('rotated application secret', rotatedApplication.body.applicationSecret);
    expect(new Set([firstMaster, firstApplication, master, application]).size).toBe(4);

    // Right secrets after rotation.
    expect((await call('settings (rotated master)', as(applicationKey, master).get('/application/settings'))).status).toBe(200);
    expect((await call('info (rotated sdk)', as(applicationKey, application).get('/application/info'))).status).toBe(200);

    // Wrong secrets: rotated-out ones, guesses, a secret of the wrong kind, a wrong admin secret, other schemes.
    const wrongAdmin = remember('wrong admin secret', randomBytes(18).toString('base64url'));
    const guess = remember('guessed secret', randomBytes(32).toString('hex'));
    const refusals: [string, string, string, number][] = [
      ['old master secret', '/application/settings', basic(applicationKey, firstMaster), 401],
      ['old application secret', '/application/info', basic(applicationKey, firstApplication), 401],
      ['guessed secret', '/application/settings', basic(applicationKey, guess), 401],
      ['application secret on a master route', '/application/settings', basic(applicationKey, application), 403],
      ['wrong admin secret', '/admin/applications', basic('admin', wrongAdmin), 401],
      ['admin secret on a master route', '/application/settings', basic('admin', stack.adminSecret), 403],
      ['master secret as a bearer token', '/application/settings', `Bearer ${master}`, 401],
      ['unknown key with the master secret', '/application/settings', basic(`unknown-${randomUUID()}`, master), 401],
    ];
    for (const [what, path, authorization, status] of refusals) {
      remember(`Authorization: ${what}`, authorization);
      const answer = await fetch(`${stack.gatewayUrl}${path}`, { headers: { authorization } });
      const body: unknown = await answer.json();
      laterAnswers.push({ what, answer: { status: answer.status, headers: answer.headers, body } });
      expect({ what, status: answer.status }).toEqual({ what, status });
    }
    for (const [name, value] of [...secrets]) {
      if (!name.startsWith('Authorization')) remember(`Authorization with the ${name}`, basic(name.includes('admin') ? 'admin' : applicationKey, value));
    }

    // What the admin sees afterwards.
    laterAnswers.push({ what: 'admin get', answer: await admin.get(`/admin/applications/${applicationKey}`) });
    laterAnswers.push({ what: 'admin list', answer: await admin.get('/admin/applications?limit=1000') });
    laterAnswers.push({ what: 'admin rename', answer: await admin.put(`/admin/applications/${applicationKey}`, { name: 'Renamed keeper' }) });

    // Let every app log what follows from these calls (the settings event reaches every service).
    await waitFor(() => applicationEvents.messages.length >= 2, { timeoutMs: 20_000, description: 'the application events' });
    await waitFor(() => stack.output('gateway').some((line) => line.includes(writeCorrelationId)), { timeoutMs: 10_000, description: 'the write in the gateway log' });
  }, 180_000);

  afterAll(async () => {
    await applicationEvents?.stop();
    await stack?.stop();
    await db?.drop();
  });

  it('the logs were captured, at trace level, from every app (the check below is not vacuous)', () => {
    for (const app of ['gateway', ...SERVICE_APPS] as const) {
      const lines = stack.output(app);
      expect({ app, started: lines.some((line) => line.includes('started')) }).toEqual({ app, started: true });
    }
    // The write's correlation id, logged at debug level by the gateway when it sent the command.
    expect(stack.output('gateway').join('\n')).toContain(writeCorrelationId);
  });

  it('no app logs an application secret, a master secret, the admin secret or an Authorization header value', () => {
    expect(secrets.size).toBeGreaterThanOrEqual(8 + 8);
    for (const app of ['gateway', ...SERVICE_APPS] as const) {
      const log = stack.output(app).join('\n');
      for (const [name, value] of secrets) {
        expect({ app, secret: name, logged: log.includes(value) }).toEqual({ app, secret: name, logged: false });
      }
    }
  });

  it('admin get, list and rename, and every other answer after creation, never return a secret or a hash', () => {
    const byWhat = new Map(laterAnswers.map(({ what, answer }) => [what, answer]));
    expect(byWhat.get('admin get')?.body.application).toMatchObject({ applicationKey, name: 'Secret keeper' });
    expect(byWhat.get('admin list')?.body.applications.map((a: { applicationKey: string }) => a.applicationKey)).toContain(applicationKey);
    expect(byWhat.get('admin rename')?.body.application).toMatchObject({ applicationKey, name: 'Renamed keeper' });
    for (const { what, answer } of laterAnswers) {
      const text = JSON.stringify(answer.body);
      for (const [name, value] of secrets) expect({ what, secret: name, returned: text.includes(value) }).toEqual({ what, secret: name, returned: false });
      const names = propertyNames(answer.body).filter((property) => /secret|hash/i.test(property));
      expect({ what, secretFields: names }).toEqual({ what, secretFields: [] });
    }
  });

  it('no secret travels on Kafka (application.events carries names and settings only)', () => {
    expect(applicationEvents.messages.length).toBeGreaterThanOrEqual(2);
    const text = applicationEvents.messages.map((message) => `${message.key} ${message.value} ${JSON.stringify(message.headers)}`).join('\n');
    for (const [name, value] of secrets) expect({ secret: name, published: text.includes(value) }).toEqual({ secret: name, published: false });
    expect(propertyNames(applicationEvents.values()).filter((property) => /secret|hash/i.test(property))).toEqual([]);
  });
});
