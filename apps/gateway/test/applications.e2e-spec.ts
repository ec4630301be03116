import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import {
  ApiClient,
  ApplicationCredentials,
  TestDatabase,
  TestKafka,
  TestStack,
  createApplication,
  testDatabase,
  testKafka,
  waitFor,
} from '@omni/testing';
import { CredentialKind } from '../src/auth/auth.guard';
import { ApiRoute, apiRoutes, fillPath } from './support/api-routes';

const execFileAsync = promisify(execFile);

/** Applications, credentials and settings, over real HTTP with every service running. */
describe('applications, credentials and settings', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let sql: Client;
  let admin: ApiClient;

  const master = (app: ApplicationCredentials, url = stack.gatewayUrl) => new ApiClient(url).as(app.applicationKey, app.masterSecret);
  const sdk = (app: ApplicationCredentials, url = stack.gatewayUrl) => new ApiClient(url).as(app.applicationKey, app.applicationSecret);
  const newApp = (name = 'App') => createApplication(stack.gatewayUrl, stack.adminSecret, name);

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    stack = await new TestStack({ databaseUrl: db.url, brokers: kafka.brokers, topicPrefix: kafka.prefix, gateways: 2 }).start();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    admin = new ApiClient(stack.gatewayUrl).as('admin', stack.adminSecret);
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await stack?.stop();
    await db?.drop();
  });

  describe('the registry (admin)', () => {
    it('creates an application whose secrets are shown once and stored only as hashes', async () => {
      const created = await admin.post('/admin/applications', { name: 'Shop' });
      expect(created.status).toBe(201);
      const { applicationKey, applicationSecret, masterSecret } = created.body.application;
      expect(applicationSecret).not.toBe(masterSecret);

      const listed = await admin.get('/admin/applications?limit=1000');
      const entry = listed.body.applications.find((a: { applicationKey: string }) => a.applicationKey === applicationKey);
      expect(entry).toMatchObject({ name: 'Shop', settings: { userRegistration: 'sdk', userDataFields: [] } });
      expect(JSON.stringify(listed.body)).not.toContain(masterSecret);
      expect(JSON.stringify((await admin.get(`/admin/applications/${applicationKey}`)).body)).not.toContain(applicationSecret);

      const { rows } = await sql.query('SELECT * FROM gateway.applications WHERE application_key = $1', [applicationKey]);
      expect(JSON.stringify(rows)).not.toContain(masterSecret);
      expect(rows[0].master_secret_hash).toHaveLength(32);
    });

    it('renames an application', async () => {
      const app = await newApp('Before');
      const renamed = await admin.put(`/admin/applications/${app.applicationKey}`, { name: 'After' });
      expect(renamed.body.application.name).toBe('After');
      expect((await admin.get(`/admin/applications/${app.applicationKey}`)).body.application.name).toBe('After');
    });

    it('a rotated secret stops working at once on every gateway; the new one works', async () => {
      const app = await newApp();
      // Warm both gateways' credential caches with the old secret.
      for (const url of stack.gatewayUrls) expect((await master(app, url).get('/application/settings')).status).toBe(200);

      const rotated = await admin.post(`/admin/applications/${app.applicationKey}/rotate`, { secret: 'master' });
      expect(rotated.status).toBe(200);
      const rotatedApp = { ...app, masterSecret: rotated.body.masterSecret as string };
      for (const url of stack.gatewayUrls) {
        await waitFor(async () => (await master(app, url).get('/application/settings')).status === 401, { timeoutMs: 1_000, description: 'old secret refused' });
        expect((await master(rotatedApp, url).get('/application/settings')).status).toBe(200);
      }
      // The other secret is untouched.
      expect((await sdk(app).get('/application/info')).status).toBe(200);
    });

    it('a rotated application secret is refused on the other gateway right after the rotation, even with reads in flight', async () => {
      const app = await newApp();
      const [first, second] = stack.gatewayUrls;
      expect((await sdk(app, second).get('/application/info')).status).toBe(200);

      // Keep the second gateway busy with the old secret while the first rotates it, so credential
      // reads are in flight when the change is notified.
      let rotating = true;
      const traffic = (async () => {
        while (rotating) await sdk(app, second).get('/application/info');
      })();
      const rotated = await new ApiClient(first).as('admin', stack.adminSecret).post(`/admin/applications/${app.applicationKey}/rotate`, { secret: 'application' });
      rotating = false;
      await traffic;
      expect(rotated.status).toBe(200);
      const rotatedApp = { ...app, applicationSecret: rotated.body.applicationSecret as string };

      await waitFor(async () => (await sdk(app, second).get('/application/info')).status === 401, { timeoutMs: 1_000, intervalMs: 20, description: 'old application secret refused on gateway 1' });
      // And it stays refused: no read from before the rotation was cached.
      const later = await Promise.all(Array.from({ length: 10 }, () => sdk(app, second).get('/application/info')));
      expect(later.map((answer) => answer.status)).toEqual(Array(10).fill(401));
      for (const url of stack.gatewayUrls) expect((await sdk(rotatedApp, url).get('/application/info')).status).toBe(200);
      // The master secret is untouched.
      expect((await master(app, second).get('/application/settings')).status).toBe(200);
    });

    it('a deleted application is unreachable: its credentials fail and admin reads 404', async () => {
      const app = await newApp();
      expect((await master(app, stack.gatewayUrls[1]).get('/application/settings')).status).toBe(200);
      expect((await admin.delete(`/admin/applications/${app.applicationKey}`)).status).toBe(204);
      for (const url of stack.gatewayUrls) {
        await waitFor(async () => (await master(app, url).get('/application/settings')).status === 401, { timeoutMs: 1_000, description: 'credentials refused' });
      }
      expect((await admin.get(`/admin/applications/${app.applicationKey}`)).status).toBe(404);
      expect((await admin.delete(`/admin/applications/${app.applicationKey}`)).status).toBe(404);
    });

    it('refuses invalid names and lists beyond the page cap with 400 naming the field', async () => {
      const empty = await admin.post('/admin/applications', { name: '' });
      expect(empty.status).toBe(400);
      expect(empty.body.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]));
      const tooMany = await admin.get('/admin/applications?limit=5000');
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'limit' })]));
      expect((await admin.post(`/admin/applications/${randomUUID()}/rotate`, { secret: 'other' })).status).toBe(400);
    });
  });

  describe('the CLI', () => {
    const cli = (...args: string[]) =>
      execFileAsync(process.execPath, ['-r', '@swc-node/register', 'scripts/cli.ts', '--url', stack.gatewayUrl, ...args], {
        cwd: path.resolve(__dirname, '../../..'),
        env: { ...process.env, ADMIN_SECRET: stack.adminSecret },
      });

    it('creates, rotates and deletes applications, for people and (--json) for scripts', async () => {
      const created = JSON.parse((await cli('--json', 'app', 'create', '--name', 'From CLI')).stdout) as ApplicationCredentials & { name: string };
      expect(created.name).toBe('From CLI');
      expect((await master(created).get('/application/settings')).status).toBe(200);

      const listed = await cli('app', 'list', '--limit', '1000');
      expect(listed.stdout).toContain(`${created.applicationKey}  From CLI`);

      const rotated = JSON.parse((await cli('--json', 'app', 'rotate', created.applicationKey, '--secret', 'master')).stdout);
      await waitFor(async () => (await master(created).get('/application/settings')).status === 401, { timeoutMs: 1_000 });
      expect((await master({ ...created, masterSecret: rotated.masterSecret }).get('/application/settings')).status).toBe(200);

      expect((await cli('app', 'delete', created.applicationKey)).stdout).toContain(`deleted ${created.applicationKey}`);
      await expect(cli('app', 'get', created.applicationKey)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('404 APPLICATION_NOT_FOUND') });
    });

    it('renames and gets an application, for people and (--json) for scripts', async () => {
      const app = await newApp('Before CLI');
      expect((await cli('app', 'rename', app.applicationKey, '--name', 'After CLI')).stdout).toContain(`renamed ${app.applicationKey} to "After CLI"`);
      expect((await admin.get(`/admin/applications/${app.applicationKey}`)).body.application.name).toBe('After CLI');

      const human = (await cli('app', 'get', app.applicationKey)).stdout;
      expect(human).toContain(`${app.applicationKey}  After CLI`);
      expect(human).toContain('"userRegistration":"sdk"');
      const json = JSON.parse((await cli('--json', 'app', 'get', app.applicationKey)).stdout);
      expect(json).toMatchObject({ applicationKey: app.applicationKey, name: 'After CLI', settings: { userRegistration: 'sdk', userDataFields: [] } });
      expect(JSON.stringify(json)).not.toContain(app.masterSecret);
      const renamed = JSON.parse((await cli('--json', 'app', 'rename', app.applicationKey, '--name', 'Again')).stdout);
      expect(renamed).toMatchObject({ applicationKey: app.applicationKey, name: 'Again' });
    });

    it('with --json, errors are a JSON object on stderr and the exit code is not zero', async () => {
      const unknown = `unknown-${randomUUID()}`;
      const failure = (await cli('--json', 'app', 'get', unknown).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      )) as { code: number; stdout: string; stderr: string };
      expect(failure.code).toBe(1);
      expect(failure.stdout).toBe('');
      expect(JSON.parse(failure.stderr)).toEqual({ error: { status: 404, code: 'APPLICATION_NOT_FOUND', message: 'application not found' } });

      const invalid = (await cli('--json', 'app', 'create', '--name', '').then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      )) as { code: number; stderr: string };
      expect(invalid.code).toBe(1);
      expect(JSON.parse(invalid.stderr)).toMatchObject({ error: { status: 400, code: 'VALIDATION_FAILED', fields: [expect.objectContaining({ field: 'name' })] } });

      // Without --json, the same error is one line for people.
      await expect(cli('app', 'rename', unknown, '--name', 'x')).rejects.toMatchObject({ code: 1, stderr: 'error: 404 APPLICATION_NOT_FOUND: application not found\n' });
    });
  });

  describe('settings', () => {
    it('a settings change reaches every service within a second, whole', async () => {
      const app = await newApp();
      const put = await master(app).put('/application/settings', {
        userRegistration: 'api',
        userDataFields: [
          { key: 'firstName', label: 'First Name', type: 'text' },
          { key: 'gender', label: 'Gender', type: 'enum', values: ['Male', 'Female', 'Other'], required: true },
        ],
        channelLimits: { devicesPerUser: 5 },
      });
      expect(put.status).toBe(200);
      // The limits it did not name are stored at their defaults: every service has the same document.
      expect(put.body.settings.channelLimits).toEqual({ devicesPerUser: 5, contactsPerUser: 20 });
      const changedAt = Date.now();
      for (const schema of ['profile', 'device', 'recipient']) {
        const row = await waitFor(
          async () => (await sql.query(`SELECT settings, version FROM ${schema}.application_settings WHERE application = $1`, [app.applicationKey])).rows.find((r) => r.version === 2),
          { timeoutMs: 1_000, intervalMs: 20, description: `${schema}-service to apply the settings` },
        );
        expect(row.settings).toEqual(put.body.settings);
      }
      expect(Date.now() - changedAt).toBeLessThan(1_000);
      expect(put.body.settings.userDataFields[0]).toEqual({ key: 'firstName', label: 'First Name', type: 'text', required: false });
    });

    it('a field definition changed through one gateway is what the other gateway shows and validates against within a second', async () => {
      const app = await newApp();
      const [first, second] = stack.gatewayUrls;
      const userID = `U-${randomUUID()}`;
      // Both gateways have the application cached before the change.
      for (const url of stack.gatewayUrls) expect((await sdk(app, url).get('/application/info')).body.application.userDataFields).toEqual([]);

      // One settings version: the field is unknown before it, a number after it.
      const put = await master(app, first).put('/application/settings', { userDataFields: [{ key: 'score', label: 'Score', type: 'number' }] });
      expect(put.status).toBe(200);
      const changedAt = Date.now();

      const info = await waitFor(
        async () => {
          const fields = (await sdk(app, second).get('/application/info')).body.application.userDataFields as { key: string; type: string }[];
          return fields.length === 1 && fields[0].type === 'number' ? fields : undefined;
        },
        { timeoutMs: 1_000, intervalMs: 20, description: 'gateway 1 to show the number field' },
      );
      expect(info).toEqual(put.body.settings.userDataFields);
      // A write through the other gateway is validated against the new definition (by the services).
      await waitFor(async () => (await master(app, second).put(`/user/foruserid/${userID}/userdata/override`, { userData: { score: 7 } })).status === 200, {
        timeoutMs: Math.max(1, 1_000 - (Date.now() - changedAt)),
        intervalMs: 20,
        description: 'a number score to be accepted through gateway 1',
      });
      expect(Date.now() - changedAt).toBeLessThan(1_000);
      const wrongType = await master(app, second).put(`/user/foruserid/${userID}/userdata/override`, { userData: { score: 'high' } });
      expect({ status: wrongType.status, fields: wrongType.body.fields?.map((f: { field: string }) => f.field) }).toEqual({ status: 400, fields: ['userData.score'] });
      expect((await master(app, second).get(`/user/foruserid/${userID}/profile`)).body.profile.userData).toEqual({ score: 7 });
    });

    it('invalid settings get 400 naming the field and change nothing', async () => {
      const app = await newApp();
      const cases: [unknown, string][] = [
        [{ userRegistration: 'everyone' }, 'userRegistration'],
        [{ userDataFields: [{ key: 'color', label: 'Color', type: 'colour' }] }, 'userDataFields.0.type'],
        [{ userDataFields: [{ key: '1bad', label: 'Bad', type: 'text' }] }, 'userDataFields.0.key'],
        [{ userDataFields: [{ key: 'size', label: 'Size', type: 'enum' }] }, 'userDataFields.0.values'],
        [{ userDataFields: [{ key: 'age', label: 'Age', type: 'number', values: ['1'] }] }, 'userDataFields.0.values'],
        [{ userDataFields: [{ key: 'a', label: 'A', type: 'text' }, { key: 'a', label: 'A', type: 'text' }] }, 'userDataFields.1.key'],
        [{ channelLimits: { devicesPerUser: 0 } }, 'channelLimits.devicesPerUser'],
        [{ channelLimits: { contactsPerUser: 201 } }, 'channelLimits.contactsPerUser'],
        [{ channelLimits: { devicesPerUser: 2.5 } }, 'channelLimits.devicesPerUser'],
        [{ channelLimits: { devicesPerUser: null } }, 'channelLimits.devicesPerUser'],
        [{ channelLimits: null }, 'channelLimits'],
      ];
      for (const [body, field] of cases) {
        const answer = await master(app).put('/application/settings', body);
        expect({ body, status: answer.status, fields: answer.body.fields?.map((f: { field: string }) => f.field) }).toEqual({
          body,
          status: 400,
          fields: expect.arrayContaining([field]),
        });
      }
      // An application that never set limits answers the defaults.
      expect((await master(app).get('/application/settings')).body.settings).toEqual({
        userRegistration: 'sdk',
        userDataFields: [],
        channelLimits: { devicesPerUser: 20, contactsPerUser: 20 },
      });
    });

    it('removing a field keeps the values profiles hold; writing it is then refused until it is defined again', async () => {
      const app = await newApp();
      const api = master(app);
      for (const key of ['nickname', 'plan']) {
        expect((await api.post('/application/userdatafields', { key, label: key, type: 'text' })).status).toBe(201);
      }
      const userID = `U-${randomUUID()}`;
      expect((await api.put(`/user/foruserid/${userID}/userdata/override`, { userData: { nickname: 'Jo', plan: 'pro' } })).status).toBe(200);

      expect((await api.delete('/application/userdatafields/nickname')).status).toBe(204);
      await waitFor(async () => (await sql.query('SELECT settings FROM profile.application_settings WHERE application = $1', [app.applicationKey])).rows[0]?.settings.userDataFields.length === 1, { timeoutMs: 1_000 });

      expect((await api.get(`/user/foruserid/${userID}/profile`)).body.profile.userData).toEqual({ nickname: 'Jo', plan: 'pro' });
      const refused = await api.put(`/user/foruserid/${userID}/userdata/override`, { userData: { nickname: 'Joe' } });
      expect(refused.status).toBe(400);
      expect(refused.body.fields).toEqual([expect.objectContaining({ field: 'userData.nickname' })]);
      // Other fields still work, and the kept value stays as it was.
      expect((await api.put(`/user/foruserid/${userID}/userdata/override`, { userData: { plan: 'team' } })).status).toBe(200);
      expect((await api.get(`/user/foruserid/${userID}/profile`)).body.profile.userData).toEqual({ nickname: 'Jo', plan: 'team' });
    });

    it('user data fields: create, read, replace, remove; the SDK sees them in /application/info', async () => {
      const app = await newApp();
      const api = master(app);
      expect((await api.post('/application/userdatafields', { key: 'birthdate', label: 'Birthdate', type: 'date' })).status).toBe(201);
      const duplicate = await api.post('/application/userdatafields', { key: 'birthdate', label: 'Again', type: 'text' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.code).toBe('USER_DATA_FIELD_EXISTS');
      expect((await api.post('/application/userdatafields', { key: 'plan', label: 'Plan', type: 'enum', values: ['free', 'pro'] })).status).toBe(201);

      const replaced = await api.put('/application/userdatafields/plan', { label: 'Plan', type: 'enum', values: ['free', 'pro', 'team'], required: true });
      expect(replaced.body.userDataField).toEqual({ key: 'plan', label: 'Plan', type: 'enum', values: ['free', 'pro', 'team'], required: true });
      expect((await api.get('/application/userdatafields/plan')).body.userDataField.values).toHaveLength(3);

      const info = await sdk(app).get('/application/info');
      expect(info.body.application).toMatchObject({ _id: app.applicationKey, userRegistration: 'sdk' });
      expect(info.body.application.userDataFields.map((f: { key: string }) => f.key)).toEqual(['birthdate', 'plan']);

      expect((await api.delete('/application/userdatafields/birthdate')).status).toBe(204);
      expect((await api.get('/application/userdatafields/birthdate')).status).toBe(404);
      expect((await api.delete('/application/userdatafields/birthdate')).status).toBe(404);
      expect((await api.get('/application/userdatafields')).body.userDataFields.map((f: { key: string }) => f.key)).toEqual(['plan']);
      // Removing a field keeps what services hold: the settings copy changes, nothing else is rewritten.
      await waitFor(async () => (await sql.query('SELECT settings FROM profile.application_settings WHERE application = $1', [app.applicationKey])).rows[0]?.settings.userDataFields.length === 1, { timeoutMs: 1_000 });
    });
  });

  describe('every route', () => {
    const routes = apiRoutes();
    let a: ApplicationCredentials;
    let b: ApplicationCredentials;

    beforeAll(async () => {
      [a, b] = await Promise.all([newApp('A'), newApp('B')]);
    });

    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const call = (route: ApiRoute, authorization?: string) =>
      fetch(`${stack.gatewayUrl}${fillPath(route.path, 'probe')}`, {
        method: route.method,
        headers: { ...(authorization ? { authorization } : {}), ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { 'content-type': 'application/json' }) },
        body: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
      });

    it('declares which credentials it accepts', () => {
      expect(routes.length).toBeGreaterThan(10);
      for (const route of routes) expect({ route: route.id, accepts: route.accepts.length > 0 }).toEqual({ route: route.id, accepts: true });
    });

    it('answers 401 with a Basic challenge to missing, malformed, unknown or wrong credentials', async () => {
      for (const route of routes) {
        const variants: [string, string | undefined][] = [
          ['none', undefined],
          ['malformed', 'Basic !!!not-base64'],
          ['not basic', `Bearer ${a.masterSecret}`],
          ['no colon', `Basic ${Buffer.from(a.applicationKey).toString('base64')}`],
          ['unknown key', basic(`unknown-${randomUUID()}`, a.masterSecret)],
          ['wrong secret', basic(a.applicationKey, 'not-the-secret')],
          ['wrong admin secret', basic('admin', 'not-the-admin-secret')],
        ];
        for (const [variant, authorization] of variants) {
          const response = await call(route, authorization);
          const body = (await response.json()) as { status: number; code: string };
          expect({ route: route.id, variant, status: response.status, challenge: response.headers.get('www-authenticate')?.startsWith('Basic '), code: body.code }).toEqual({
            route: route.id,
            variant,
            status: 401,
            challenge: true,
            code: 'UNAUTHORIZED',
          });
        }
      }
    });

    it('answers 403 to a valid credential of a kind it does not accept, and lets the right kind in', async () => {
      const credentials: Record<CredentialKind, string> = {
        admin: basic('admin', stack.adminSecret),
        master: basic(a.applicationKey, a.masterSecret),
        sdk: basic(a.applicationKey, a.applicationSecret),
      };
      for (const route of routes) {
        for (const kind of Object.keys(credentials) as CredentialKind[]) {
          const response = await call(route, credentials[kind]);
          const status = response.status;
          if (route.accepts.includes(kind)) {
            expect({ route: route.id, kind, refused: status === 401 || status === 403 }).toEqual({ route: route.id, kind, refused: false });
          } else {
            expect({ route: route.id, kind, status }).toEqual({ route: route.id, kind, status: 403 });
          }
        }
      }
    });

    /**
     * Tenant isolation: how each route reaches application A's data, and what B must see instead.
     * A route missing from this table fails the test: every new route needs its isolation case.
     */
    const isolation: Record<string, () => Promise<void>> = {
      'GET /user/foruserid/:userID': async () => {
        const userID = `iso-${randomUUID()}`;
        expect((await master(a).put(`/user/foruserid/${userID}`, { userName: 'A user' })).status).toBe(200);
        await expectSameAsMissing((client, id) => client.get(`/user/foruserid/${id}`), userID);
      },
      'PUT /user/foruserid/:userID': async () => {
        const userID = `iso-${randomUUID()}`;
        expect((await master(a).put(`/user/foruserid/${userID}`, { userName: 'Original' })).status).toBe(200);
        expect((await master(b).put(`/user/foruserid/${userID}`, { userName: 'Hijacked' })).status).toBe(200);
        // B wrote its own user of that id; A's is unchanged.
        expect((await master(a).get(`/user/foruserid/${userID}`)).body.user.userName).toBe('Original');
      },
      'DELETE /user/foruserid/:userID': async () => {
        const userID = `iso-${randomUUID()}`;
        expect((await master(a).put(`/user/foruserid/${userID}`, { userName: 'A user' })).status).toBe(200);
        expect((await master(b).delete(`/user/foruserid/${userID}`)).status).toBe(404);
        expect((await master(a).get(`/user/foruserid/${userID}`)).body.user.active).toBe(true);
      },
      'DELETE /user/foruserid/:userID/remove': async () => {
        const userID = `iso-${randomUUID()}`;
        expect((await master(a).put(`/user/foruserid/${userID}`, { userName: 'A user' })).status).toBe(200);
        expect((await master(b).delete(`/user/foruserid/${userID}/remove`)).status).toBe(404);
        expect((await master(a).get(`/user/foruserid/${userID}/profile`)).body.profile.userName).toBe('A user');
      },
      'GET /user': async () => {
        const userID = `iso-${randomUUID()}`;
        expect((await master(a).put(`/user/foruserid/${userID}`, { userName: 'Listed in A' })).status).toBe(200);
        const listedForA = await master(a).get('/user?limit=1000');
        expect(listedForA.body.users.map((u: { userID: string }) => u.userID)).toContain(userID);
        const listedForB = await master(b).get('/user?limit=1000');
        expect(listedForB.status).toBe(200);
        expect(listedForB.body.users.map((u: { userID: string }) => u.userID)).not.toContain(userID);
      },
      'GET /user/foruserid/:userID/profile': async () => {
        const userID = `iso-${randomUUID()}`;
        expect((await master(a).put(`/user/foruserid/${userID}`, { userName: 'A user' })).status).toBe(200);
        await expectSameAsMissing((client, id) => client.get(`/user/foruserid/${id}/profile`), userID);
      },
      'PUT /user/foruserid/:userID/userdata/override': async () => {
        const userID = `iso-${randomUUID()}`;
        await master(a).post('/application/userdatafields', { key: 'nickname', label: 'Nickname', type: 'text' });
        expect((await master(a).put(`/user/foruserid/${userID}/userdata/override`, { userData: { nickname: 'A' } })).status).toBe(200);
        // B defines the same field, so its write is valid and really attempted on A's userID.
        await master(b).post('/application/userdatafields', { key: 'nickname', label: 'Nickname', type: 'text' });
        const missingID = `missing-${randomUUID()}`;
        const missing = await waitFor(
          async () => {
            const answer = await master(b).put(`/user/foruserid/${missingID}/userdata/override`, { userData: { nickname: 'B' } });
            return answer.status !== 400 ? answer : undefined;
          },
          { timeoutMs: 5_000, description: "B's nickname field to reach its services" },
        );
        const foreign = await master(b).put(`/user/foruserid/${userID}/userdata/override`, { userData: { nickname: 'B' } });
        // The same answer as for a user that exists nowhere; A's user keeps its data.
        expect({ status: foreign.status, body: foreign.body }).toEqual({ status: missing.status, body: missing.body });
        expect((await master(a).get(`/user/foruserid/${userID}/profile`)).body.profile.userData).toEqual({ nickname: 'A' });
      },
      'GET /command/:commandId': async () => {
        const write = await master(a).put(`/user/foruserid/iso-${randomUUID()}`, { userName: 'x' }, { prefer: 'respond-async' });
        await expectSameAsMissing((client, id) => client.get(`/command/${id}`), write.body.commandId, randomUUID());
      },
      'GET /application/settings': () => expectOwnSettings(),
      'PUT /application/settings': () => expectOwnSettings(),
      'GET /application/userdatafields': () => expectOwnSettings(),
      'POST /application/userdatafields': () => expectOwnSettings(),
      'GET /application/userdatafields/:key': async () => {
        await master(a).post('/application/userdatafields', { key: 'onlyInA', label: 'Only in A', type: 'text' });
        await expectSameAsMissing((client, key) => client.get(`/application/userdatafields/${key}`), 'onlyInA', 'neverDefined');
      },
      'PUT /application/userdatafields/:key': async () => {
        await master(a).post('/application/userdatafields', { key: 'keepMe', label: 'Keep', type: 'text' });
        const answer = await master(b).put('/application/userdatafields/keepMe', { label: 'Changed by B', type: 'number' });
        expect(answer.status).toBe(404);
        expect((await master(a).get('/application/userdatafields/keepMe')).body.userDataField.label).toBe('Keep');
      },
      'DELETE /application/userdatafields/:key': async () => {
        await master(a).post('/application/userdatafields', { key: 'dontDelete', label: 'Stay', type: 'text' });
        expect((await master(b).delete('/application/userdatafields/dontDelete')).status).toBe(404);
        expect((await master(a).get('/application/userdatafields/dontDelete')).status).toBe(200);
      },
      'GET /application/info': async () => {
        const info = await sdk(b).get('/application/info');
        expect(info.body.application._id).toBe(b.applicationKey);
      },
      'POST /device': async () => {
        const { deviceID, device } = await deviceOfA();
        // B registers its own device of that id, as it would a new one; A's is untouched.
        const foreign = await sdk(b).post('/device', { deviceID, platform: 'iOS', userID: null });
        const fresh = await sdk(b).post('/device', { deviceID: `iso-device-${randomUUID()}`, platform: 'iOS', userID: null });
        expect(foreign.status).toBe(201);
        expect(fresh.status).toBe(201);
        expect((await master(a).get(`/device/${deviceID}`)).body.device).toEqual(device);
      },
      'PUT /device/:deviceID': () => expectDeviceIsolated((client, id) => client.put(`/device/${id}`, { language: 'fr' })),
      'DELETE /device/:deviceID': () => expectDeviceIsolated((client, id) => client.delete(`/device/${id}`)),
      'GET /device/:deviceID/tags': () => expectDeviceIsolated((client, id) => client.get(`/device/${id}/tags`), sdk),
      'PUT /device/:deviceID/addtag': () => expectDeviceIsolated((client, id) => client.put(`/device/${id}/addtag`, { tag: 'b-tag' }), sdk),
      'PUT /device/:deviceID/addtags': () => expectDeviceIsolated((client, id) => client.put(`/device/${id}/addtags`, { tags: ['b-tag'] }), sdk),
      'PUT /device/:deviceID/removetag': () => expectDeviceIsolated((client, id) => client.put(`/device/${id}/removetag`, { tag: 'a-only' }), sdk),
      'PUT /device/:deviceID/removetags': () => expectDeviceIsolated((client, id) => client.put(`/device/${id}/removetags`, { tags: ['a-only'] }), sdk),
      'PUT /device/:deviceID/cleartags': () => expectDeviceIsolated((client, id) => client.put(`/device/${id}/cleartags`), sdk),
      'GET /device/:deviceID/userdata': () => expectDeviceIsolated((client, id) => client.get(`/device/${id}/userdata`), sdk),
      'PUT /device/:deviceID/userdata': () => expectDeviceIsolated((client, id) => client.put(`/device/${id}/userdata`, { nickname: 'B' }), sdk),
      'GET /device': async () => {
        const { deviceID, device } = await deviceOfA();
        const listed = await master(b).get('/device?medium=all&limit=1000');
        expect(listed.status).toBe(200);
        expect(listed.body.devices.map((d: { deviceID: string }) => d.deviceID)).not.toContain(deviceID);
        expect((await master(a).get(`/device/${deviceID}`)).body.device).toEqual(device);
      },
      'GET /device/foruser/:userID': async () => {
        const { deviceID, userID, device } = await deviceOfA();
        const foreign = await master(b).get(`/device/foruser/${userID}?medium=all`);
        const missing = await master(b).get(`/device/foruser/missing-${randomUUID()}?medium=all`);
        expect(foreign.body).toEqual({ devices: [], count: 0 });
        expect({ status: foreign.status, body: foreign.body }).toEqual({ status: missing.status, body: missing.body });
        expect((await master(a).get(`/device/${deviceID}`)).body.device).toEqual(device);
      },
      'GET /device/:deviceID': () => expectDeviceIsolated((client, id) => client.get(`/device/${id}?active=any`)),
      'PUT /device/:deviceID/user': () => expectDeviceIsolated((client, id) => client.put(`/device/${id}/user`, { userID: 'B-user', userName: 'B' })),
      'DELETE /device/:deviceID/user': () => expectDeviceIsolated((client, id) => client.delete(`/device/${id}/user`)),
      'PUT /device/:deviceID/userdata/override': () =>
        expectDeviceIsolated((client, id) => client.put(`/device/${id}/userdata/override`, { userData: { nickname: 'B' } })),
      'GET /device/:deviceID/dnd': () => expectDeviceIsolated((client, id) => client.get(`/device/${id}/dnd`), sdk),
      'PUT /device/:deviceID/dnd': () => expectDeviceIsolated((client, id) => client.put(`/device/${id}/dnd`, { start: '23:00', end: '07:00' }), sdk),
      'PUT /device/:deviceID/cleardnd': () => expectDeviceIsolated((client, id) => client.put(`/device/${id}/cleardnd`), sdk),
      'GET /device/:deviceID/regionstate': () => expectDeviceIsolated((client, id) => client.get(`/device/${id}/regionstate`)),
      'GET /device/:deviceID/regionstate/forregion/:region': () => expectDeviceIsolated((client, id) => client.get(`/device/${id}/regionstate/forregion/r1`)),
      'GET /device/:deviceID/regionstate/forbeacon/:beacon': () => expectDeviceIsolated((client, id) => client.get(`/device/${id}/regionstate/forbeacon/b1`)),
      'POST /device/bygeometry': () =>
        expectQueryIsolated((client) => client.post('/device/bygeometry', { geometry: { type: 'Polygon', coordinates: [[[4, 52], [5.5, 52], [5.5, 53], [4, 53], [4, 52]]] } })),
      'GET /device/bylocation/:lat1/:long1/:lat2/:long2': () => expectQueryIsolated((client) => client.get('/device/bylocation/52/4/53/5.5?limit=1000')),
      'GET /device/bylocation/:latitude/:longitude/:distance': () => expectQueryIsolated((client) => client.get('/device/bylocation/52.3676/4.9041/1?limit=1000')),
      'GET /device/forregion/:region': () => expectQueryIsolated((client, { region }) => client.get(`/device/forregion/${region}`)),
      'GET /device/forsubscription/:subscription': () => expectQueryIsolated((client, { deviceID }) => client.get(`/device/forsubscription/${deviceID}`)),
      'GET /device/search/:search': () => expectQueryIsolated((client, { deviceID }) => client.get(`/device/search/${deviceID}?medium=all`)),
      'GET /device/fortag/:tag': () => expectQueryIsolated((client, { tag }) => client.get(`/device/fortag/${tag}?medium=all`)),
      'GET /device/fortag/:tag/count': async () => {
        const { tag } = await locatedDeviceOfA();
        expect((await master(a).get(`/device/fortag/${tag}/count?medium=all`)).body).toEqual({ count: 1 });
        expect((await master(b).get(`/device/fortag/${tag}/count?medium=all`)).body).toEqual({ count: 0 });
      },
      'GET /device/tags': () => expectQueryIsolated((client) => client.get('/device/tags?limit=1000')),
      'GET /device/tags/:tag': () => expectQueryIsolated((client, { tag }) => client.get(`/device/tags/${tag}`)),
      'GET /device/foruser/:userID/fornotification/:notification': async () => {
        const { userID } = await deviceOfA();
        const foreign = await master(b).get(`/device/foruser/${userID}/fornotification/5245bc5b3e66a3b01f0024d4`);
        const missing = await master(b).get(`/device/foruser/missing-${randomUUID()}/fornotification/5245bc5b3e66a3b01f0024d4`);
        expect({ status: foreign.status, body: foreign.body }).toEqual({ status: 200, body: { devices: [], count: 0 } });
        expect({ status: foreign.status, body: foreign.body }).toEqual({ status: missing.status, body: missing.body });
      },
      'POST /email': () => expectOwnContact('email'),
      'PUT /email/:deviceID': () => expectRecipientIsolated('email', (client, id) => client.put(`/email/${id}`, { language: 'fr', userID: 'B-user' })),
      'DELETE /email/:deviceID': () => expectRecipientIsolated('email', (client, id) => client.delete(`/email/${id}`)),
      'PUT /email/:deviceID/addtags': () => expectRecipientIsolated('email', (client, id) => client.put(`/email/${id}/addtags`, { tags: ['b-tag'] })),
      'PUT /email/:deviceID/removetags': () => expectRecipientIsolated('email', (client, id) => client.put(`/email/${id}/removetags`, { tags: ['a-only'] })),
      'PUT /email/:deviceID/cleartags': () => expectRecipientIsolated('email', (client, id) => client.put(`/email/${id}/cleartags`)),
      'PUT /email/:deviceID/confirm': () => expectRecipientIsolated('email', (client, id) => client.put(`/email/${id}/confirm`, { token: 'guess' })),
      'POST /sms': () => expectOwnContact('sms'),
      'PUT /sms/:deviceID': () => expectRecipientIsolated('sms', (client, id) => client.put(`/sms/${id}`, { language: 'fr', userID: 'B-user' })),
      'DELETE /sms/:deviceID': () => expectRecipientIsolated('sms', (client, id) => client.delete(`/sms/${id}`)),
      'PUT /sms/:deviceID/addtags': () => expectRecipientIsolated('sms', (client, id) => client.put(`/sms/${id}/addtags`, { tags: ['b-tag'] })),
      'PUT /sms/:deviceID/removetags': () => expectRecipientIsolated('sms', (client, id) => client.put(`/sms/${id}/removetags`, { tags: ['a-only'] })),
      'PUT /sms/:deviceID/cleartags': () => expectRecipientIsolated('sms', (client, id) => client.put(`/sms/${id}/cleartags`)),
      'PUT /sms/:deviceID/confirm': () => expectRecipientIsolated('sms', (client, id) => client.put(`/sms/${id}/confirm`, { token: 'guess' })),
    };

    /** An email contact or SMS number of A's (with a user and a tag), and its row in the read model. */
    async function contactOfA(channel: 'email' | 'sms'): Promise<{ id: string; body: Record<string, unknown>; row: unknown }> {
      const address = channel === 'email' ? `iso-${randomUUID()}@example.com` : `+3161${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
      const body = { [channel === 'email' ? 'email' : 'phone']: address, userID: `iso-user-${randomUUID()}`, userName: 'A user', tags: ['a-only'] };
      const created = await master(a).post(`/${channel}`, body);
      expect(created.status).toBe(201);
      const id = created.body.device.deviceID as string;
      return { id, body, row: await contactRow(a, id) };
    }

    /** A contact as the read model holds it. */
    async function contactRow(app: ApplicationCredentials, id: string): Promise<unknown> {
      return (await sql.query('SELECT * FROM projection.recipients WHERE application = $1 AND recipient_id = $2', [app.applicationKey, id])).rows[0];
    }

    /** B's call on A's contact answers as on a contact that exists nowhere (404), and A's contact is unchanged. */
    async function expectRecipientIsolated(channel: 'email' | 'sms', request: (client: ApiClient, id: string) => Promise<{ status: number; body: unknown }>) {
      const { id, row } = await contactOfA(channel);
      const foreign = await request(master(b), id);
      const missing = await request(master(b), `${channel}-${randomUUID().replace(/-/g, '').slice(0, 22)}`);
      expect(foreign.status).toBe(404);
      expect({ status: foreign.status, body: foreign.body }).toEqual({ status: missing.status, body: missing.body });
      expect(await contactRow(a, id)).toEqual(row);
    }

    /** B registering A's address gets a contact of its own (201, as for any new address); A's is untouched. */
    async function expectOwnContact(channel: 'email' | 'sms') {
      const { id, body, row } = await contactOfA(channel);
      const foreign = await master(b).post(`/${channel}`, { ...body, userID: 'B-user', tags: ['b-tag'] });
      expect({ status: foreign.status, id: foreign.body.device?.deviceID }).toEqual({ status: 201, id });
      expect(await contactRow(a, id)).toEqual(row);
      expect(await contactRow(b, id)).toMatchObject({ user_id: 'B-user', tags: ['b-tag'] });
    }

    /** A device of A's (with a user and a tag) and how A reads it. */
    async function deviceOfA(): Promise<{ deviceID: string; userID: string; device: unknown }> {
      const deviceID = `iso-device-${randomUUID()}`;
      const userID = `iso-user-${randomUUID()}`;
      expect((await sdk(a).post('/device', { deviceID, platform: 'Android', transport: 'GCM', language: 'en' })).status).toBe(201);
      expect((await sdk(a).put(`/device/${deviceID}/addtag`, { tag: 'a-only' })).status).toBe(200);
      expect((await master(a).put(`/device/${deviceID}/user`, { userID, userName: 'A user' })).status).toBe(200);
      const read = await master(a).get(`/device/${deviceID}`);
      expect(read.body.device).toMatchObject({ deviceID, userID, tags: ['a-only'] });
      return { deviceID, userID, device: read.body.device };
    }

    /** B's call on A's device answers as on a device that exists nowhere (404), and A's device is unchanged. */
    async function expectDeviceIsolated(
      request: (client: ApiClient, deviceID: string) => Promise<{ status: number; body: unknown }>,
      credential: (app: ApplicationCredentials) => ApiClient = master,
    ) {
      const { deviceID, device } = await deviceOfA();
      const foreign = await request(credential(b), deviceID);
      const missing = await request(credential(b), `missing-${randomUUID()}`);
      expect(foreign.status).toBe(404);
      expect({ status: foreign.status, body: foreign.body }).toEqual({ status: missing.status, body: missing.body });
      expect((await master(a).get(`/device/${deviceID}`)).body.device).toEqual(device);
    }

    /** A device of A's in Amsterdam, with a region and a tag of its own. */
    async function locatedDeviceOfA(): Promise<{ deviceID: string; tag: string; region: string }> {
      const deviceID = `iso-located-${randomUUID()}`;
      const tag = `iso-tag-${randomUUID()}`;
      const region = `iso-region-${randomUUID()}`;
      const location = { type: 'Point', coordinates: [4.9041, 52.3676] };
      expect((await sdk(a).post('/device', { deviceID, platform: 'Android', transport: 'GCM', location, region })).status).toBe(201);
      expect((await sdk(a).put(`/device/${deviceID}/addtag`, { tag })).status).toBe(200);
      return { deviceID, tag, region };
    }

    /** A's query finds A's located device (or its tag); the same query with B's credentials answers 200 without it. */
    async function expectQueryIsolated(query: (client: ApiClient, device: { deviceID: string; tag: string; region: string }) => Promise<{ status: number; body: unknown }>) {
      const device = await locatedDeviceOfA();
      const mentions = (body: unknown) => [device.deviceID, device.tag].filter((mark) => JSON.stringify(body).includes(mark));
      const own = await query(master(a), device);
      expect({ status: own.status, found: mentions(own.body).length > 0 }).toEqual({ status: 200, found: true });
      const foreign = await query(master(b), device);
      expect({ status: foreign.status, found: mentions(foreign.body) }).toEqual({ status: 200, found: [] });
    }

    /** B asks for A's item and for an item that exists nowhere: both answers must be the same 404. */
    async function expectSameAsMissing(request: (client: ApiClient, id: string) => Promise<{ status: number; body: unknown }>, idOfA: string, missingId = `missing-${randomUUID()}`) {
      expect((await request(master(a), idOfA)).status).toBe(200);
      const foreign = await request(master(b), idOfA);
      const missing = await request(master(b), missingId);
      expect(foreign.status).toBe(404);
      // Status and body (headers such as the date differ between any two answers).
      expect({ status: foreign.status, body: foreign.body }).toEqual({ status: missing.status, body: missing.body });
    }

    /** Settings routes are scoped by the credential itself: B's changes never touch A's settings. */
    async function expectOwnSettings() {
      const before = (await master(a).get('/application/settings')).body.settings;
      await master(b).put('/application/settings', { userRegistration: 'api' });
      await master(b).post('/application/userdatafields', { key: `bOnly${randomUUID().slice(0, 8)}`, label: 'B', type: 'text' });
      expect((await master(a).get('/application/settings')).body.settings).toEqual(before);
    }

    /**
     * Every row of an application in every schema (each service's own, the gateway's, the read
     * model), as `schema.table JSON`: the tables with an application column, and outbox rows by
     * their envelope's application (without the relay's publishing time, which is not data).
     */
    async function rowsOf(app: ApplicationCredentials): Promise<string[]> {
      const { rows: tables } = await sql.query<{ schema: string; table: string; column: string }>(
        `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column
           FROM information_schema.columns c
           JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
          WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema', 'public')
            AND (c.column_name IN ('application', 'application_key') OR (c.table_name = 'outbox' AND c.column_name = 'envelope'))
          ORDER BY 1, 2`,
      );
      expect(tables.map((t) => t.schema)).toEqual(expect.arrayContaining(['gateway', 'device', 'recipient', 'profile', 'projection', 'personal_data']));
      const rows: string[] = [];
      for (const { schema, table, column } of tables) {
        const where = column === 'envelope' ? `t.envelope->>'application' = $1` : `t.${column} = $1`;
        const found = await sql.query<{ row: Record<string, unknown> }>(`SELECT row_to_json(t) AS row FROM "${schema}"."${table}" t WHERE ${where}`, [app.applicationKey]);
        for (const { row } of found.rows) {
          delete row.published_at;
          rows.push(`${schema}.${table} ${JSON.stringify(row)}`);
        }
      }
      return rows.sort();
    }

    /** The application's rows once nothing is still changing them (cascades and relays settle). */
    async function settledRowsOf(app: ApplicationCredentials): Promise<string[]> {
      let previous = await rowsOf(app);
      return waitFor(
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          const current = await rowsOf(app);
          const settled = JSON.stringify(current) === JSON.stringify(previous);
          previous = current;
          return settled ? current : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 0, description: `the rows of ${app.applicationKey} to settle` },
      );
    }

    /** The user data fields A's cases define for themselves: defined before the snapshot, A's own cases add rows but change none. */
    const fieldsOfA = [
      { key: 'nickname', label: 'Nickname', type: 'text' },
      { key: 'onlyInA', label: 'Only in A', type: 'text' },
      { key: 'keepMe', label: 'Keep', type: 'text' },
      { key: 'dontDelete', label: 'Stay', type: 'text' },
    ];

    /** Data of A's that exists before the run: a user and its device under one id, an email contact and an SMS number of it. */
    async function baselineOfA(): Promise<string[]> {
      const id = `iso-base-${randomUUID()}`;
      expect((await sdk(a).post('/device', { deviceID: id, platform: 'iOS', transport: 'APNS', language: 'en' })).status).toBe(201);
      expect((await master(a).put(`/device/${id}/user`, { userID: id, userName: 'A base' })).status).toBe(200);
      expect((await sdk(a).put(`/device/${id}/addtags`, { tags: ['a-only'] })).status).toBe(200);
      expect((await master(a).put(`/user/foruserid/${id}/userdata/override`, { userData: { nickname: 'A' } })).status).toBe(200);
      const email = await master(a).post('/email', { email: `${id}@example.com`, userID: id, tags: ['a-only'] });
      const sms = await master(a).post('/sms', { phone: `+3164${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`, userID: id, tags: ['a-only'] });
      expect([email.status, sms.status]).toEqual([201, 201]);
      return [id, email.body.device.deviceID, sms.body.device.deviceID];
    }

    /**
     * Every route, with each of B's credentials it accepts, on each id of A's baseline (every path
     * parameter set to it; writes with an empty body): the same status as on its twin, an id of the
     * same shape that exists nowhere and gets the same calls in the same order (a write that creates
     * B's own user of an id makes the later reads of both find B's).
     */
    const ERASE_ROUTE = 'DELETE /user/foruserid/:userID/remove';

    async function sweepBaselineAsB(tenantRoutes: ApiRoute[], ids: string[]) {
      const clients = { master: master(b), sdk: sdk(b) } as Record<CredentialKind, ApiClient | undefined>;
      const twinOf = (id: string) => {
        const tail = id.length - id.lastIndexOf('-') - 1;
        return id.slice(0, id.length - tail) + randomUUID().replace(/-/g, '').padEnd(tail, '0').slice(0, tail);
      };
      const pairs = ids.map((id) => [id, twinOf(id)]);
      for (const route of tenantRoutes) {
        for (const kind of route.accepts) {
          const client = clients[kind];
          if (!client) continue;
          const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
          for (const [id, twin] of pairs) {
            const missing = await client.request(route.method, fillPath(route.path, twin), body);
            const foreign = await client.request(route.method, fillPath(route.path, id), body);
            expect({ route: route.id, kind, id, status: foreign.status }).toEqual({ route: route.id, kind, id, status: missing.status });
            // An erasure answers 202 before it is done: let both finish before the next route, so
            // that the id and its twin are compared in the same state (not the twin's erasure done
            // and the other's still running).
            if (route.id === ERASE_ROUTE && missing.status === 202) {
              for (const erased of [twin, id]) {
                await waitFor(async () => (await client.get(`/user/foruserid/${erased}`)).status === 404, { timeoutMs: 15_000, description: `B's user ${erased} erased` });
              }
            }
          }
        }
      }
    }

    it("another application's credentials never read or change this one's data (same 404 as missing)", async () => {
      const tenantRoutes = routes.filter((route) => !route.accepts.includes('admin'));
      const uncovered = tenantRoutes.map((route) => route.id).filter((id) => !(id in isolation));
      expect(uncovered).toEqual([]);
      for (const field of fieldsOfA) await master(a).post('/application/userdatafields', field);
      const baseline = await baselineOfA();
      const before = await settledRowsOf(a);
      expect(before.filter((row) => row.includes(baseline[0])).length).toBeGreaterThan(3);

      await sweepBaselineAsB(tenantRoutes, baseline);
      for (const route of tenantRoutes) await isolation[route.id]();

      // Nothing of A changed or went away: every row A had is still there, byte for byte. A's
      // cases add rows of their own (new users, devices, contacts); none of them carries anything B sent.
      const after = await settledRowsOf(a);
      const kept = new Set(after);
      expect(before.filter((row) => !kept.has(row))).toEqual([]);
      const fromB = [b.applicationKey, 'B-user', 'b-tag', 'Hijacked', 'Changed by B', 'bOnly', '"nickname":"B"'];
      expect(after.filter((row) => fromB.some((marker) => row.includes(marker)))).toEqual([]);
    });
  });
});
