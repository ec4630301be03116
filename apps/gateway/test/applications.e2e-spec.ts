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
      });
      expect(put.status).toBe(200);
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

    it('invalid settings get 400 naming the field and change nothing', async () => {
      const app = await newApp();
      const cases: [unknown, string][] = [
        [{ userRegistration: 'everyone' }, 'userRegistration'],
        [{ userDataFields: [{ key: 'color', label: 'Color', type: 'colour' }] }, 'userDataFields.0.type'],
        [{ userDataFields: [{ key: '1bad', label: 'Bad', type: 'text' }] }, 'userDataFields.0.key'],
        [{ userDataFields: [{ key: 'size', label: 'Size', type: 'enum' }] }, 'userDataFields.0.values'],
        [{ userDataFields: [{ key: 'age', label: 'Age', type: 'number', values: ['1'] }] }, 'userDataFields.0.values'],
        [{ userDataFields: [{ key: 'a', label: 'A', type: 'text' }, { key: 'a', label: 'A', type: 'text' }] }, 'userDataFields.1.key'],
      ];
      for (const [body, field] of cases) {
        const answer = await master(app).put('/application/settings', body);
        expect({ body, status: answer.status, fields: answer.body.fields?.map((f: { field: string }) => f.field) }).toEqual({
          body,
          status: 400,
          fields: expect.arrayContaining([field]),
        });
      }
      expect((await master(app).get('/application/settings')).body.settings).toEqual({ userRegistration: 'sdk', userDataFields: [] });
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
        // B has no such field: refused; and A's user keeps its data.
        expect((await master(b).put(`/user/foruserid/${userID}/userdata/override`, { userData: { nickname: 'B' } })).status).toBe(400);
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

    it("another application's credentials never read or change this one's data (same 404 as missing)", async () => {
      const tenantRoutes = routes.filter((route) => !route.accepts.includes('admin'));
      const uncovered = tenantRoutes.map((route) => route.id).filter((id) => !(id in isolation));
      expect(uncovered).toEqual([]);
      for (const route of tenantRoutes) await isolation[route.id]();
    });
  });
});
