import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { OpenAPIV3 } from 'openapi-types';
import { Client } from 'pg';
import { DLQ_HEADERS } from '@omni/messaging';
import { TOPIC_SPECS, deadLetterTopic } from '@omni/contracts';
import {
  ApiClient,
  ApplicationCredentials,
  TestDatabase,
  TestKafka,
  TestStack,
  TopicRecorder,
  createApplication,
  testDatabase,
  testKafka,
  waitFor,
} from '@omni/testing';
import { FuzzAnswer, FuzzClient, FuzzStats, problemsOf } from './fuzz/http';
import { FuzzRoute, routesOf } from './fuzz/openapi-routes';
import { FuzzCase, FuzzContext, canBeRefused, rejectedCase, requestCase } from './fuzz/request-cases';

/** Cases over all routes (FUZZ_CASES raises it for a longer run); FUZZ_SEED replays a run. */
const TOTAL_CASES = Number(process.env.FUZZ_CASES || 10_000);
const REJECTED_CASES = Number(process.env.FUZZ_REJECTED_CASES || 1_200);
const SEED = Number(process.env.FUZZ_SEED || Math.floor(Math.random() * 2 ** 31));
/** Requests in flight at once (one kept-alive connection each). */
const CONCURRENCY = 8;
const BODY_LIMIT_BYTES = 1_048_576;

/** A case the gateway answered wrongly: what was sent, what came back, what is wrong with it. */
class FuzzFailure extends Error {
  constructor(
    readonly request: FuzzCase,
    readonly answer: FuzzAnswer,
    readonly problems: string[],
  ) {
    super(problems.join('; '));
  }

  describe(): string {
    const { request, answer } = this;
    const body = request.body === undefined ? '' : ` body(${request.body.length})=${JSON.stringify(request.body.slice(0, 200))}`;
    const headers = Object.entries(request.headers)
      .map(([name, value]) => (name === 'authorization' ? `${name}=${JSON.stringify(Buffer.from(value.replace(/^Basic\s*/i, ''), 'base64').toString('utf8').split(':')[0])}:…` : `${name}=${JSON.stringify(value.slice(0, 60))}`))
      .join(' ');
    return `${this.message}\n    sent: ${request.method} ${request.path.slice(0, 300)} [${request.credential}/${request.bodyKind}] ${headers}${body}\n    answer: ${answer.status} ${answer.text.slice(0, 300)}`;
  }
}

/** A failed property, readable: fast-check's seed and path to replay it, and the shrunk case. */
function describeFailure(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const replay = /\{ seed: [^}]+\}/.exec((error as Error).message)?.[0] ?? '';
  if (cause instanceof FuzzFailure) return `${replay} ${cause.describe()}`;
  return (error as Error).message.slice(0, 1_000);
}

/** A seeded application: its credentials and the ids that exist in it. */
interface SeededApplication {
  app: ApplicationCredentials;
  userIDs: string[];
  deviceIDs: string[];
  emailIds: string[];
  smsIds: string[];
  fieldKeys: string[];
  commandIds: string[];
}

/**
 * Property-based fuzzing of every route of the gateway's API, with the whole stack running.
 * The routes come from the OpenAPI document the gateway serves, so a new route is fuzzed too.
 */
describe('fuzzing every route of the gateway', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let sql: Client;
  let routes: FuzzRoute[];
  let client: FuzzClient;
  let deadLetters: TopicRecorder[];

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    stack = await new TestStack({
      databaseUrl: db.url,
      brokers: kafka.brokers,
      topicPrefix: kafka.prefix,
      env: { BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES), LOG_LEVEL: 'warn' },
    }).start();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const document = await new ApiClient(stack.gatewayUrl).get<OpenAPIV3.Document>('/docs-json');
    expect(document.status).toBe(200);
    routes = routesOf(document.body);
    client = new FuzzClient(stack.gatewayUrl, CONCURRENCY, BODY_LIMIT_BYTES);
    deadLetters = await Promise.all(
      TOPIC_SPECS.filter((spec) => spec.deadLetter).map((spec) => new TopicRecorder(kafka, deadLetterTopic(spec.name)).start()),
    );
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await stack?.stop();
    await Promise.allSettled([...(deadLetters ?? []).map((recorder) => recorder.stop()), sql?.end()]);
    await db?.drop();
  }, 120_000);

  it('takes every route of the OpenAPI document, with the credential kinds it declares', () => {
    expect(routes.length).toBeGreaterThan(50);
    const unguarded = routes.filter((route) => route.accepts.length === 0).map((route) => route.id);
    expect(unguarded.sort()).toEqual(['GET /health/live', 'GET /health/ready', 'GET /metrics']);
    expect(routes.filter((route) => route.body).length).toBeGreaterThan(25);
  });

  it(`answers ${TOTAL_CASES} fuzzed requests without a 5xx, every 4xx with the error body, and keeps running`, async () => {
    const seeded = await seed('fuzz');
    const sacrificial = await Promise.all([1, 2, 3].map((n) => createApplication(stack.gatewayUrl, stack.adminSecret, `Sacrificial ${n}`)));
    const context = contextOf(seeded, sacrificial.map((app) => app.applicationKey));
    const perRoute = Math.ceil(TOTAL_CASES / routes.length);
    const stats = new FuzzStats();
    const started = Date.now();
    const failures = await forEachRoute(routes, (route, index) =>
      fc.assert(
        fc.asyncProperty(requestCase(route, context), async (request) => {
          const answer = await send(request);
          stats.record(request, answer.status, answer.ms);
          expectFine(request, answer);
        }),
        { numRuns: perRoute, seed: SEED + index },
      ),
    );
    // eslint-disable-next-line no-console -- the summary (cases per route, statuses) is part of the run's report
    console.log(`${stats.summary(`gateway fuzz (seed ${SEED})`, (Date.now() - started) / 1000)}\n${deadLetterSummary()}\n${errorLogSummary()}`);

    expect(failures).toEqual([]);
    expect(stats.total).toBeGreaterThanOrEqual(TOTAL_CASES);
    for (const route of routes) expect([route.id, stats.casesOf(route.id) >= perRoute]).toEqual([route.id, true]);
    expect(stats.statuses().has(500)).toBe(false);
    // Still up and ready: the gateway and every service the accepted commands reached.
    for (const app of ['gateway', 'device-service', 'recipient-service', 'profile-service', 'projection-service'] as const) {
      expect([app, (await fetch(`${stack.urlOf(app)}/health/ready`)).status]).toEqual([app, 200]);
    }
    expect((await fetch(`${stack.gatewayUrl}/health/live`)).status).toBe(200);
    // What the gateway let through, every service could decode and handle: nothing was dead-lettered
    // (a handler failure is a service's 5xx; an invalid payload, a gateway laxer than the contracts).
    expect(deadLetters.flatMap((recorder) => recorder.messages).map((m) => `${m.headers[DLQ_HEADERS.sourceTopic]} ${m.headers[DLQ_HEADERS.reason]}: ${m.headers[DLQ_HEADERS.detail]}`)).toEqual([]);
  }, 300_000);

  it('rejected requests change nothing: the application, its users, devices, contacts, settings and read model stay as they were', async () => {
    const seeded = await seed('dedicated');
    // Admin routes aim at this application itself: refused renames, rotations and deletions of it.
    const context = contextOf(seeded, [seeded.app.applicationKey]);
    const refusable = routes.filter(canBeRefused);
    const perRoute = Math.ceil(REJECTED_CASES / refusable.length);
    const before = await stateOf(seeded.app);
    const commandsBefore = await commandCount(seeded.app);
    const stats = new FuzzStats();
    const started = Date.now();
    const failures = await forEachRoute(refusable, (route, index) =>
      fc.assert(
        fc.asyncProperty(rejectedCase(route, context), async (request) => {
          const answer = await send(request);
          stats.record(request, answer.status, answer.ms);
          expectFine(request, answer);
          if (!answer.closed && (answer.status < 400 || answer.status >= 500)) throw new FuzzFailure(request, answer, [`not refused (${answer.status})`]);
        }),
        { numRuns: perRoute, seed: SEED + 1_000 + index },
      ),
    );
    const after = await stateOf(seeded.app);
    // eslint-disable-next-line no-console -- as above
    console.log(
      `${stats.summary(`rejected-input batch (seed ${SEED})`, (Date.now() - started) / 1000)}\n` +
        `  commands the services refused: ${(await commandCount(seeded.app)) - commandsBefore}`,
    );

    expect(failures).toEqual([]);
    expect(stats.total).toBeGreaterThanOrEqual(REJECTED_CASES);
    expect(after).toEqual(before);
  }, 300_000);

  it('answers the inputs the fuzzer found with a 4xx and the error body (regressions)', async () => {
    const seeded = await seed('regressions');
    const master = `Basic ${Buffer.from(`${seeded.app.applicationKey}:${seeded.app.masterSecret}`).toString('base64')}`;
    const admin = `Basic ${Buffer.from(`admin:${stack.adminSecret}`).toString('base64')}`;
    const found: { request: FuzzCase; status: number; code: string }[] = [
      // NUL in the Basic user reached PostgreSQL: 500.
      ...['admin\u0000', '\u0000', `${seeded.app.applicationKey}\u0000`].map((user) => ({
        request: fuzzCase('GET', '/application/settings', { authorization: `Basic ${Buffer.from(`${user}:secret`).toString('base64')}` }),
        status: 401,
        code: 'UNAUTHORIZED',
      })),
      { request: fuzzCase('GET', '/admin/applications/%00', { authorization: admin }), status: 404, code: 'APPLICATION_NOT_FOUND' },
      { request: fuzzCase('DELETE', '/admin/applications/a%00b', { authorization: admin }), status: 404, code: 'APPLICATION_NOT_FOUND' },
      // A body nested thousands of levels deep overflowed class-transformer's stack: 500.
      ...['/device/x/addtags', '/sms/x/removetags', '/application/userdatafields'].map((path) => ({
        request: fuzzCase(path.startsWith('/application') ? 'POST' : 'PUT', path, { authorization: master, 'content-type': 'application/json' }, `{"tags":${'['.repeat(5_000)}${']'.repeat(5_000)}}`),
        status: 400,
        code: 'BODY_TOO_DEEP',
      })),
      // A path that is not valid percent-encoding got Fastify's own body (FST_ERR_BAD_URL, echoing the URL).
      ...['/device/%zz/tags', '/user/foruserid/%', '/sms/%C0%AE%C0%AE', '/device/%E0%A4%A/user', '/admin/applications/%ED%A0%80/rotate'].map((path) => ({
        request: fuzzCase('GET', path, { authorization: master }),
        status: 400,
        code: 'BAD_URL',
      })),
      // Strings holding NUL or an unpaired surrogate reached PostgreSQL (text, jsonb), which refused them: 500.
      ...[
        ['PUT', `/admin/applications/${seeded.app.applicationKey}`, '{"name":"x\\u0000y"}', admin],
        ['POST', '/admin/applications', '{"name":"\\ud800"}', admin],
        ['PUT', `/user/foruserid/${seeded.userIDs[0]}`, '{"userName":"\\ud800"}', master],
        ['PUT', `/user/foruserid/${seeded.userIDs[0]}/userdata/override`, '{"userData":{"firstName":"\\udc00"}}', master],
        ['PUT', `/device/${seeded.deviceIDs[0]}/removetag`, '{"tag":"a\\u0000"}', master],
        ['PUT', '/application/settings', '{"userDataFields":[{"key":"k","label":"\\u0000","type":"text"}]}', master],
      ].map(([method, path, body, authorization]) => ({
        request: fuzzCase(method as FuzzCase['method'], path, { authorization, 'content-type': 'application/json' }, body),
        status: 400,
        code: 'VALIDATION_FAILED',
      })),
      // An object key "constructor" made class-transformer fail: 500.
      {
        request: fuzzCase('PUT', `/user/foruserid/${seeded.userIDs[0]}/userdata/override`, { authorization: master, 'content-type': 'application/json' }, '{"userData":{"constructor":[]}}'),
        status: 400,
        code: 'VALIDATION_FAILED',
      },
      // An offset PostgreSQL cannot take: 500.
      { request: fuzzCase('GET', '/admin/applications?skip=999999999999999999999', { authorization: admin }), status: 400, code: 'VALIDATION_FAILED' },
      { request: fuzzCase('GET', '/device?skip=999999999999999999999', { authorization: master }), status: 400, code: 'VALIDATION_FAILED' },
      // "location": [] passed the gateway and failed the device-service's handler (dead-lettered).
      {
        request: fuzzCase('PUT', `/device/${seeded.deviceIDs[1]}`, { authorization: master, 'content-type': 'application/json' }, '{"location":[]}'),
        status: 400,
        code: 'VALIDATION_FAILED',
      },
      // A text/plain body was validated as {}: PUT /user/foruserid/{userID} cleared the user's name.
      {
        request: fuzzCase('PUT', `/user/foruserid/${seeded.userIDs[0]}`, { authorization: master, 'content-type': 'text/plain' }, '{"userName":"ignored"}'),
        status: 400,
        code: 'VALIDATION_FAILED',
      },
    ];
    for (const { request, status, code } of found) {
      const answer = await client.send(request);
      expect([request.method, request.path, answer.status, problemsOf(request, answer)]).toEqual([request.method, request.path, status, []]);
      expect([request.path, JSON.parse(answer.text).code]).toEqual([request.path, code]);
    }
    const backend = new ApiClient(stack.gatewayUrl).as(seeded.app.applicationKey, seeded.app.masterSecret);
    expect((await backend.get(`/user/foruserid/${seeded.userIDs[0]}`)).body.user.userName).toBe('Fuzz User');
    // "userData": null (nullable) on a contact with a user became a user override with a null map,
    // dead-lettered by the profile-service and answered 400.
    const contact = await backend.post('/email', { email: `${randomBytes(4).toString('hex')}@example.com`, userID: seeded.userIDs[0], userData: null });
    expect([contact.status, contact.body]).toEqual([201, expect.objectContaining({ message: 'subscription created' })]);
  });

  // -------------------------------------------------------------------------------------------

  function fuzzCase(method: FuzzCase['method'], path: string, headers: Record<string, string>, body?: string): FuzzCase {
    return { route: `${method} ${path}`, method, path, headers, ...(body === undefined ? {} : { body }), credential: 'right', bodyKind: 'none' };
  }

  /** Send a case; no answer at all (connection reset, timeout) is a failure of the case too. */
  async function send(request: FuzzCase): Promise<FuzzAnswer & { ms: number }> {
    const started = Date.now();
    try {
      return { ...(await client.send(request)), ms: Date.now() - started };
    } catch (error) {
      const answer = { status: 0, headers: {}, text: '' };
      throw new FuzzFailure(request, answer, [`no answer after ${Date.now() - started} ms: ${(error as Error).message}`]);
    }
  }

  function expectFine(request: FuzzCase, answer: FuzzAnswer): void {
    const problems = problemsOf(request, answer);
    if (problems.length > 0) throw new FuzzFailure(request, answer, problems);
  }

  /** Run each route's property, CONCURRENCY routes at a time; the failures, each cut to a readable size. */
  async function forEachRoute(list: FuzzRoute[], run: (route: FuzzRoute, index: number) => Promise<void>): Promise<string[]> {
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const index = next++;
        try {
          await run(list[index], index);
        } catch (error) {
          failures.push(`${list[index].id}: ${describeFailure(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return failures;
  }

  /** An application with a user data field, a user, two devices (one with the user), an email contact and an SMS number. */
  async function seed(name: string): Promise<SeededApplication> {
    const app = await createApplication(stack.gatewayUrl, stack.adminSecret, name);
    const master = new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.masterSecret);
    const sdk = new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.applicationSecret);
    const ok = async (answer: Promise<{ status: number; body: any }>, what: string) => {
      const { status, body } = await answer;
      if (status >= 300) throw new Error(`seeding ${what}: ${status} ${JSON.stringify(body)}`);
      return body;
    };
    const userID = `U-${randomBytes(4).toString('hex')}`;
    const deviceIDs = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
    await ok(master.post('/application/userdatafields', { key: 'firstName', label: 'First name', type: 'text' }), 'a field');
    await ok(master.put(`/user/foruserid/${userID}`, { userName: 'Fuzz User' }), 'a user');
    await ok(sdk.post('/device', { deviceID: deviceIDs[0], platform: 'iOS', transport: 'APNS', language: 'en', region: 'NL' }), 'a device');
    await ok(sdk.post('/device', { deviceID: deviceIDs[1], platform: 'Android', transport: 'GCM' }), 'a device');
    await ok(master.put(`/device/${deviceIDs[0]}/user`, { userID, userName: 'Fuzz User' }), 'a device user');
    const email = await ok(master.post('/email', { email: `${randomBytes(4).toString('hex')}@example.com`, userID }), 'an email contact');
    const sms = await ok(master.post('/sms', { phone: `+3161${String(randomBytes(3).readUIntBE(0, 3) % 10_000_000).padStart(7, '0')}`, userID }), 'an SMS number');
    const pending = await ok(master.put(`/user/foruserid/${userID}`, { userName: 'Fuzz User' }, { prefer: 'respond-async' }), 'a command');
    // Settled before anything is compared: the asynchronous command has taken effect.
    await waitFor(async () => (await master.get(`/command/${pending.commandId}`)).body?.command?.status === 'completed', {
      description: 'the seeding command to complete',
    });
    return {
      app,
      userIDs: [userID],
      deviceIDs,
      emailIds: [email.device.deviceID as string],
      smsIds: [sms.device.deviceID as string],
      fieldKeys: ['firstName'],
      commandIds: [pending.commandId as string],
    };
  }

  function contextOf(seeded: SeededApplication, applicationKeys: string[]): FuzzContext {
    const { app } = seeded;
    return {
      credentials: {
        admin: { user: 'admin', password: stack.adminSecret },
        master: { user: app.applicationKey, password: app.masterSecret },
        sdk: { user: app.applicationKey, password: app.applicationSecret },
      },
      bodyLimitBytes: BODY_LIMIT_BYTES,
      known: (route, parameter) => {
        if (parameter === 'applicationKey') return applicationKeys;
        if (parameter === 'userID') return seeded.userIDs;
        if (parameter === 'commandId') return seeded.commandIds;
        if (parameter === 'key') return seeded.fieldKeys;
        if (route.template.startsWith('/email/')) return seeded.emailIds;
        if (route.template.startsWith('/sms/')) return seeded.smsIds;
        if (route.template.startsWith('/device/')) return seeded.deviceIDs;
        return [];
      },
    };
  }

  /**
   * Everything an application is: its registry row, each service's state and settings copy, the
   * read model, the events its services emitted (outboxes, outcomes aside), and what the API lists.
   * Command bookkeeping (gateway.commands, projection.command_outcomes of rejections) is not state.
   */
  async function stateOf(app: ApplicationCredentials): Promise<Record<string, unknown>> {
    const key = app.applicationKey;
    const rows = async (query: string) => (await sql.query(query, [key])).rows;
    const master = new ApiClient(stack.gatewayUrl).as(key, app.masterSecret);
    const outboxes = ['gateway', 'device', 'recipient', 'profile', 'projection'];
    return {
      registry: await rows(
        `SELECT name, settings, version, deleted_at, updated_at, encode(application_secret_hash, 'hex') AS a, encode(master_secret_hash, 'hex') AS m
           FROM gateway.applications WHERE application_key = $1`,
      ),
      devices: await rows('SELECT * FROM device.devices WHERE application = $1 ORDER BY device_id'),
      recipients: await rows('SELECT * FROM recipient.recipients WHERE application = $1 ORDER BY recipient_id'),
      users: await rows('SELECT * FROM profile.users WHERE application = $1 ORDER BY user_id'),
      serviceSettings: await rows(
        `SELECT 'device' AS s, * FROM device.application_settings WHERE application = $1
          UNION ALL SELECT 'recipient', * FROM recipient.application_settings WHERE application = $1
          UNION ALL SELECT 'profile', * FROM profile.application_settings WHERE application = $1 ORDER BY 1`,
      ),
      readModel: {
        devices: await rows('SELECT * FROM projection.devices WHERE application = $1 ORDER BY device_id'),
        recipients: await rows('SELECT * FROM projection.recipients WHERE application = $1 ORDER BY recipient_id'),
        users: await rows('SELECT * FROM projection.users WHERE application = $1 ORDER BY user_id'),
        versions: await rows('SELECT * FROM projection.entity_versions WHERE application = $1 ORDER BY entity_type, entity_id'),
        profiles: await rows('SELECT * FROM projection.profile_versions WHERE application = $1 ORDER BY user_id'),
        accepted: await rows(`SELECT count(*)::int AS n FROM projection.command_outcomes WHERE application = $1 AND status <> 'rejected'`),
      },
      events: await rows(
        outboxes
          .map((schema) => `SELECT '${schema}' AS s, message_type, count(*)::int AS n FROM ${schema}.outbox WHERE message_key LIKE $1 || ':%' AND message_type <> 'command.rejected' GROUP BY message_type`)
          .join(' UNION ALL ') + ' ORDER BY 1, 2',
      ),
      api: {
        users: (await master.get('/user?limit=1000')).body,
        devices: (await master.get('/device?medium=all&limit=1000')).body,
        settings: (await master.get('/application/settings')).body,
        fields: (await master.get('/application/userdatafields')).body,
      },
    };
  }

  async function commandCount(app: ApplicationCredentials): Promise<number> {
    const { rows } = await sql.query('SELECT count(*)::int AS n FROM gateway.commands WHERE application = $1', [app.applicationKey]);
    return rows[0].n as number;
  }

  /** The errors the apps logged (a 5xx is logged with its cause): what to look at when a case fails. */
  function errorLogSummary(): string {
    const errors = (['gateway', 'device-service', 'recipient-service', 'profile-service', 'projection-service'] as const).flatMap((app) =>
      stack
        .output(app)
        .filter((line) => /"level":"(error|fatal)"/.test(line))
        .map((line) => `${app}: ${line.slice(0, 400)}`),
    );
    return `  errors logged: ${errors.length === 0 ? 'none' : `${errors.length}\n    ${errors.slice(0, 5).join('\n    ')}`}`;
  }

  function deadLetterSummary(): string {
    const counts = new Map<string, number>();
    for (const message of deadLetters.flatMap((recorder) => recorder.messages)) {
      const key = `${message.headers[DLQ_HEADERS.sourceTopic]}:${message.headers[DLQ_HEADERS.reason]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const details = deadLetters
      .flatMap((recorder) => recorder.messages)
      .slice(0, 5)
      .map((m) => `\n    ${m.headers[DLQ_HEADERS.sourceTopic]} ${m.headers['message-type']}: ${m.headers[DLQ_HEADERS.reason]}: ${m.headers[DLQ_HEADERS.detail]?.slice(0, 200)}\n      ${m.value?.slice(0, 600)}`);
    return `  dead letters: ${counts.size === 0 ? 'none' : [...counts].map(([key, count]) => `${key}=${count}`).join(' ')}${details.join('')}`;
  }
});
