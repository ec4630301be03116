import { randomUUID } from 'node:crypto';
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

/**
 * Push devices through the gateway, with every service running: the SDK's routes (application
 * secret) and the backend's (master secret), read-your-writes on the read model.
 */
describe('devices', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let sql: Client;
  let app: ApplicationCredentials;
  let sdk: ApiClient;
  let backend: ApiClient;

  const newApp = (name: string) => createApplication(stack.gatewayUrl, stack.adminSecret, name);
  const sdkOf = (credentials: ApplicationCredentials) => new ApiClient(stack.gatewayUrl).as(credentials.applicationKey, credentials.applicationSecret);
  const backendOf = (credentials: ApplicationCredentials) => new ApiClient(stack.gatewayUrl).as(credentials.applicationKey, credentials.masterSecret);
  const newDeviceId = () => `device-${randomUUID()}`;
  const newUserId = () => `U-${randomUUID()}`;
  const deviceNotFound = { status: 404, code: 'DEVICE_NOT_FOUND', message: 'device not found' };
  const fieldsOf = (body: { fields?: { field: string }[] }) => (body.fields ?? []).map((f) => f.field);

  /** Register an anonymous Android device from the SDK; returns its deviceID. */
  async function registered(client = sdk, extra: Record<string, unknown> = {}): Promise<string> {
    const deviceID = newDeviceId();
    const answer = await client.post('/device', { deviceID, platform: 'Android', transport: 'GCM', userID: null, ...extra });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 201, body: { device: { deviceID, message: 'device updated' } } });
    return deviceID;
  }

  /** Wait until the device- and profile-service hold the application's settings at `version`. */
  async function settingsApplied(credentials: ApplicationCredentials, version: number) {
    for (const schema of ['device', 'profile']) {
      await waitFor(
        async () =>
          (await sql.query(`SELECT version FROM ${schema}.application_settings WHERE application = $1`, [credentials.applicationKey])).rows[0]?.version >= version,
        { timeoutMs: 5_000, description: `${schema}-service to apply settings version ${version}` },
      );
    }
  }

  async function defineFields(client: ApiClient) {
    for (const field of [
      { key: 'firstName', label: 'First Name', type: 'text' },
      { key: 'lastName', label: 'Last Name', type: 'text' },
      { key: 'birthdate', label: 'Birthdate', type: 'date' },
      { key: 'gender', label: 'Gender', type: 'enum', values: ['Male', 'Female', 'Other'] },
    ]) {
      expect((await client.post('/application/userdatafields', field)).status).toBe(201);
    }
  }

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    stack = await new TestStack({ databaseUrl: db.url, brokers: kafka.brokers, topicPrefix: kafka.prefix }).start();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    app = await newApp('Devices');
    sdk = sdkOf(app);
    backend = backendOf(app);
    await defineFields(backend);
    await settingsApplied(app, 5);
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await stack?.stop();
    await db?.drop();
  });

  it('a device registered from the SDK (201, then 200) is what the backend reads', async () => {
    const deviceID = await registered(sdk, {
      platform: 'iOS',
      transport: 'APNS',
      appVersion: '1.0',
      sdkVersion: '3.0.0',
      osVersion: '17.1',
      deviceString: 'iPhone14,2',
      language: 'en',
      region: 'NL',
      timeZoneOffset: -5.5,
      allowedUI: true,
      location: { type: 'Point', coordinates: [4.9, 52.37] },
    });

    const read = await backend.get(`/device/${deviceID}`);
    expect(read.status).toBe(200);
    expect(read.body.device).toMatchObject({
      deviceID,
      application: app.applicationKey,
      medium: 'push',
      platform: 'iOS',
      transport: 'APNS',
      userID: null,
      userName: null,
      appVersion: '1.0',
      sdkVersion: '3.0.0',
      osVersion: '17.1',
      deviceString: 'iPhone14,2',
      language: 'en',
      region: 'NL',
      timeZoneOffset: -5.5,
      allowedUI: true,
      location: { type: 'Point', coordinates: [4.9, 52.37] },
      tags: [],
      userData: {},
      active: true,
    });

    const again = await sdk.post('/device', { deviceID, platform: 'iOS', transport: 'APNS', appVersion: '1.1' });
    expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: { message: 'device updated' } });
    expect((await backend.get(`/device/${deviceID}`)).body.device).toMatchObject({ appVersion: '1.1', osVersion: '17.1' });

    const listed = await backend.get('/device?limit=1000');
    expect(listed.status).toBe(200);
    expect(listed.body.devices.map((d: { deviceID: string }) => d.deviceID)).toContain(deviceID);
    expect(listed.body.count).toBeGreaterThanOrEqual(listed.body.devices.length);
    // A backend may register with the master secret too.
    await registered(backend);
  });

  it('PUT /device/{deviceID} updates what the device reports; null clears', async () => {
    const deviceID = await registered(sdk, { language: 'en', region: 'NL', osVersion: '14' });
    const update = await sdk.put(`/device/${deviceID}`, { language: 'nl', timeZoneOffset: 2, region: null, bluetoothEnabled: true, osVersion: '15' });
    expect({ status: update.status, body: update.body }).toEqual({ status: 200, body: { message: 'device updated' } });
    expect((await backend.get(`/device/${deviceID}`)).body.device).toMatchObject({
      language: 'nl',
      timeZoneOffset: 2,
      region: null,
      bluetoothEnabled: true,
      // Not an updatable property: only registration changes it.
      osVersion: '14',
    });
  });

  it('tags: add one or many, remove one or many, clear; GET tags shows each step', async () => {
    const deviceID = await registered();
    const tags = async () => (await sdk.get(`/device/${deviceID}/tags`)).body;
    const ok = { status: 200, body: { message: 'device updated' } };
    const step = async (path: string, body?: unknown) => {
      const answer = await sdk.put(`/device/${deviceID}/${path}`, body);
      expect({ path, status: answer.status, body: answer.body }).toEqual({ path, ...ok });
    };

    await step('addtag', { tag: 'one_tag' });
    expect(await tags()).toEqual({ tags: ['one_tag'] });
    await step('addtags', { tags: ['two_tags', 'one_tag', 'three'] });
    expect(await tags()).toEqual({ tags: ['one_tag', 'two_tags', 'three'] });
    await step('removetag', { tag: 'one_tag' });
    expect(await tags()).toEqual({ tags: ['two_tags', 'three'] });
    await step('removetags', { tags: ['three', 'never_had'] });
    expect(await tags()).toEqual({ tags: ['two_tags'] });
    await step('cleartags');
    expect(await tags()).toEqual({ tags: [] });

    const bad = await sdk.put(`/device/${deviceID}/addtags`, { tags: ['ok', 't'.repeat(65)] });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['tags']);
    expect(await tags()).toEqual({ tags: [] });
  });

  it('attach to user A, move to user B, detach: the user lists follow, the device stays registered', async () => {
    const deviceID = await registered();
    const [userA, userB] = [newUserId(), newUserId()];
    const forUser = async (userID: string, query = '') => (await backend.get(`/device/foruser/${userID}${query}`)).body;
    const idsOf = (list: { devices: { deviceID: string }[] }) => list.devices.map((d) => d.deviceID);

    const attach = await backend.put(`/device/${deviceID}/user`, { userID: userA, userName: 'Ada' });
    expect({ status: attach.status, body: attach.body }).toEqual({ status: 200, body: { message: 'device updated' } });
    expect(await forUser(userA)).toMatchObject({ devices: [{ deviceID, userID: userA, userName: 'Ada' }], count: 1 });

    expect((await backend.put(`/device/${deviceID}/user`, { userID: userB, userName: 'Bea' })).status).toBe(200);
    expect(await forUser(userA)).toEqual({ devices: [], count: 0 });
    expect(idsOf(await forUser(userB))).toEqual([deviceID]);
    expect(idsOf(await forUser(userB, '?medium=all'))).toEqual([deviceID]);
    // Only push devices are in the read model: the other media are empty lists for now.
    expect(await forUser(userB, '?medium=email')).toEqual({ devices: [], count: 0 });
    expect(await forUser(userB, '?medium=sms')).toEqual({ devices: [], count: 0 });
    const badMedium = await backend.get(`/device/foruser/${userB}?medium=fax`);
    expect(badMedium.status).toBe(400);
    expect(fieldsOf(badMedium.body)).toEqual(['medium']);

    const detach = await backend.delete(`/device/${deviceID}/user`);
    expect({ status: detach.status, body: detach.body }).toEqual({ status: 200, body: { message: 'device updated' } });
    expect(await forUser(userB)).toEqual({ devices: [], count: 0 });
    expect((await backend.get(`/device/${deviceID}`)).body.device).toMatchObject({ deviceID, userID: null, userName: null, active: true });

    // The SDK cannot use the backend's user routes at all.
    expect((await sdk.put(`/device/${deviceID}/user`, { userID: userA })).status).toBe(403);
    expect((await sdk.delete(`/device/${deviceID}/user`)).status).toBe(403);
  });

  it('lists page with skip and limit (at most 1000)', async () => {
    const userID = newUserId();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const deviceID = await registered();
      expect((await backend.put(`/device/${deviceID}/user`, { userID })).status).toBe(200);
      ids.push(deviceID);
    }
    const page = async (query: string) => (await backend.get(`/device/foruser/${userID}${query}`)).body;
    expect((await page('')).devices.map((d: { deviceID: string }) => d.deviceID)).toEqual(ids);
    expect(await page('?skip=1&limit=1')).toMatchObject({ devices: [{ deviceID: ids[1] }], count: 3 });
    expect((await page('?skip=3')).devices).toEqual([]);
    const tooMany = await backend.get('/device?limit=1001');
    expect(tooMany.status).toBe(400);
    expect(fieldsOf(tooMany.body)).toEqual(['limit']);
  });

  it('DELETE /device/{deviceID} deactivates: gone from reads and lists until it registers again', async () => {
    const deviceID = await registered(sdk, { userID: newUserId() });
    const gone = await sdk.delete(`/device/${deviceID}`);
    expect({ status: gone.status, body: gone.body }).toEqual({ status: 200, body: { message: 'device deactivated' } });
    expect((await backend.get(`/device/${deviceID}`)).body).toEqual(deviceNotFound);
    expect((await backend.get(`/device/${deviceID}?active=any`)).body.device).toMatchObject({ deviceID, active: false });
    expect((await sdk.get(`/device/${deviceID}/tags`)).status).toBe(404);
    expect((await backend.get('/device?limit=1000')).body.devices.map((d: { deviceID: string }) => d.deviceID)).not.toContain(deviceID);
    // Deactivating again changes nothing and says so (the device-service's idempotent deactivate).
    expect((await sdk.delete(`/device/${deviceID}`)).body).toEqual({ message: 'device deactivated' });

    const back = await sdk.post('/device', { deviceID, platform: 'Android' });
    expect(back.status).toBe(200);
    expect((await backend.get(`/device/${deviceID}`)).body.device).toMatchObject({ deviceID, active: true });
  });

  it('an unknown device is 404 DEVICE_NOT_FOUND on every device route', async () => {
    const id = newDeviceId();
    const calls: [string, () => Promise<{ status: number; body: unknown }>][] = [
      ['PUT /device/:id', () => sdk.put(`/device/${id}`, { language: 'nl' })],
      ['DELETE /device/:id', () => sdk.delete(`/device/${id}`)],
      ['GET /device/:id/tags', () => sdk.get(`/device/${id}/tags`)],
      ['PUT addtag', () => sdk.put(`/device/${id}/addtag`, { tag: 'x' })],
      ['PUT addtags', () => sdk.put(`/device/${id}/addtags`, { tags: ['x'] })],
      ['PUT removetag', () => sdk.put(`/device/${id}/removetag`, { tag: 'x' })],
      ['PUT removetags', () => sdk.put(`/device/${id}/removetags`, { tags: ['x'] })],
      ['PUT cleartags', () => sdk.put(`/device/${id}/cleartags`)],
      ['GET userdata', () => sdk.get(`/device/${id}/userdata`)],
      ['PUT userdata', () => sdk.put(`/device/${id}/userdata`, { firstName: 'x' })],
      ['GET /device/:id', () => backend.get(`/device/${id}`)],
      ['GET /device/:id?active=any', () => backend.get(`/device/${id}?active=any`)],
      ['PUT user', () => backend.put(`/device/${id}/user`, { userID: 'U1' })],
      ['DELETE user', () => backend.delete(`/device/${id}/user`)],
      ['PUT userdata/override', () => backend.put(`/device/${id}/userdata/override`, { userData: { firstName: 'x' } })],
    ];
    for (const [route, call] of calls) {
      const answer = await call();
      expect({ route, status: answer.status, body: answer.body }).toEqual({ route, status: 404, body: deviceNotFound });
    }
  });

  it('bad input is 400 naming the field, and changes nothing', async () => {
    const deviceID = await registered(sdk, { language: 'en', timeZoneOffset: 1 });
    const before = (await backend.get(`/device/${deviceID}`)).body.device;
    const cases: [string, () => Promise<{ status: number; body: { fields?: { field: string }[] } }>, string][] = [
      ['unknown platform', () => sdk.post('/device', { deviceID, platform: 'Windows' }), 'platform'],
      ['unknown transport', () => sdk.post('/device', { deviceID, platform: 'Android', transport: 'Pigeon' }), 'transport'],
      ['over-long deviceID', () => sdk.post('/device', { deviceID: 'd'.repeat(513), platform: 'Android' }), 'deviceID'],
      ['missing deviceID', () => sdk.post('/device', { platform: 'Android' }), 'deviceID'],
      ['control character in deviceID', () => sdk.put(`/device/${encodeURIComponent('a\u0001b')}`, { language: 'nl' }), 'deviceID'],
      ['bad timeZoneOffset on register', () => sdk.post('/device', { deviceID, platform: 'Android', timeZoneOffset: 15 }), 'timeZoneOffset'],
      ['bad timeZoneOffset on update', () => sdk.put(`/device/${deviceID}`, { timeZoneOffset: 'UTC+1' }), 'timeZoneOffset'],
      ['over-long osVersion', () => sdk.post('/device', { deviceID, platform: 'Android', osVersion: 'v'.repeat(65) }), 'osVersion'],
      ['bad location', () => sdk.put(`/device/${deviceID}`, { location: { type: 'Point', coordinates: [4.9] } }), 'location.coordinates'],
      ['over-long userID', () => backend.put(`/device/${deviceID}/user`, { userID: 'u'.repeat(257) }), 'userID'],
      ['nested user data value', () => sdk.put(`/device/${deviceID}/userdata`, { firstName: { given: 'x' } }), 'userData.firstName'],
      ['unknown user data field', () => sdk.put(`/device/${deviceID}/userdata`, { favouriteColour: 'blue' }), 'userData.favouriteColour'],
      ['wrong type for a defined field', () => backend.put(`/device/${deviceID}/userdata/override`, { userData: { birthdate: 'yesterday' } }), 'userData.birthdate'],
      ['value not in the enum', () => backend.put(`/device/${deviceID}/userdata/override`, { gender: 'Robot' }), 'userData.gender'],
    ];
    for (const [name, call, field] of cases) {
      const answer = await call();
      expect({ name, status: answer.status, code: (answer.body as { code?: string }).code, fields: fieldsOf(answer.body) }).toEqual({
        name,
        status: 400,
        code: 'VALIDATION_FAILED',
        fields: expect.arrayContaining([field]),
      });
    }
    expect((await backend.get(`/device/${deviceID}`)).body.device).toEqual(before);
  });

  it('an over-long deviceID in the path is 400 naming deviceID', async () => {
    const answer = await sdk.put(`/device/${'d'.repeat(513)}`, { language: 'nl' });
    expect({ status: answer.status, fields: fieldsOf(answer.body) }).toEqual({ status: 400, fields: ['deviceID'] });
  });

  it('an FCM-length token (163 characters) works on every path route', async () => {
    const deviceID = `fcm:${'A'.repeat(159)}`;
    expect((await sdk.post('/device', { deviceID, platform: 'Android', transport: 'GCM' })).status).toBe(201);
    expect((await sdk.put(`/device/${encodeURIComponent(deviceID)}/addtag`, { tag: 'long' })).status).toBe(200);
    expect((await sdk.get(`/device/${encodeURIComponent(deviceID)}/tags`)).body).toEqual({ tags: ['long'] });
    expect((await backend.get(`/device/${encodeURIComponent(deviceID)}`)).body.device).toMatchObject({ deviceID });
  });

  it('user data on an anonymous device: the flat body (as in the article) and the wrapped one both work', async () => {
    const deviceID = await registered();
    const flat = await backend.put(`/device/${deviceID}/userdata/override`, { firstName: 'John', lastName: 'Doe', birthdate: '1997-03-10', gender: 'Male' });
    expect({ status: flat.status, body: flat.body }).toEqual({ status: 200, body: { message: 'device user data updated' } });
    expect((await sdk.get(`/device/${deviceID}/userdata`)).body).toEqual({
      userData: { firstName: 'John', lastName: 'Doe', birthdate: '1997-03-10', gender: 'Male' },
    });

    const wrapped = await backend.put(`/device/${deviceID}/userdata/override`, { userData: { firstName: 'Jane', gender: null } });
    expect({ status: wrapped.status, body: wrapped.body }).toEqual({ status: 200, body: { message: 'device user data updated' } });
    expect((await sdk.get(`/device/${deviceID}/userdata`)).body).toEqual({ userData: { firstName: 'Jane', lastName: 'Doe', birthdate: '1997-03-10' } });

    // The SDK's own route takes the flat body.
    const fromSdk = await sdk.put(`/device/${deviceID}/userdata`, { lastName: 'Roe' });
    expect({ status: fromSdk.status, body: fromSdk.body }).toEqual({ status: 200, body: { message: 'device updated' } });
    expect((await backend.get(`/device/${deviceID}`)).body.device.userData).toEqual({ firstName: 'Jane', lastName: 'Roe', birthdate: '1997-03-10' });
  });

  it("the user data of a device with a user is the user's", async () => {
    const deviceID = await registered();
    const userID = newUserId();
    expect((await backend.put(`/device/${deviceID}/user`, { userID })).status).toBe(200);
    const write = await backend.put(`/device/${deviceID}/userdata/override`, { firstName: 'Ada', lastName: 'Lovelace' });
    expect({ status: write.status, body: write.body }).toEqual({ status: 200, body: { message: 'device user data updated' } });
    expect((await sdk.get(`/device/${deviceID}/userdata`)).body).toEqual({ userData: { firstName: 'Ada', lastName: 'Lovelace' } });

    // Another device of the same user answers with the same data; detached, a device has its own (none).
    const second = await registered();
    expect((await backend.put(`/device/${second}/user`, { userID })).status).toBe(200);
    expect((await sdk.get(`/device/${second}/userdata`)).body).toEqual({ userData: { firstName: 'Ada', lastName: 'Lovelace' } });
    expect((await backend.delete(`/device/${second}/user`)).status).toBe(200);
    expect((await sdk.get(`/device/${second}/userdata`)).body).toEqual({ userData: {} });
  });

  describe('user registration restricted to the API', () => {
    let restricted: ApplicationCredentials;
    let appSdk: ApiClient;
    let appBackend: ApiClient;

    beforeAll(async () => {
      restricted = await newApp('API-level users');
      appSdk = sdkOf(restricted);
      appBackend = backendOf(restricted);
      await defineFields(appBackend);
      expect((await appBackend.put('/application/settings', { userRegistration: 'api' })).status).toBe(200);
      await settingsApplied(restricted, 6);
    });

    const restrictedAnswer = {
      status: 403,
      body: { status: 403, code: 'USER_REGISTRATION_RESTRICTED', message: expect.stringContaining('user registration is restricted to the API') },
    };

    it('the SDK may register and update its device, anonymously', async () => {
      const deviceID = await registered(appSdk);
      expect((await appSdk.put(`/device/${deviceID}`, { language: 'nl' })).status).toBe(200);
      expect((await appSdk.put(`/device/${deviceID}/addtag`, { tag: 'x' })).status).toBe(200);
      expect((await appSdk.put(`/device/${deviceID}/userdata`, { firstName: 'Anonymous' })).status).toBe(200);
    });

    it('an SDK registration with a userID is refused; the same with the master secret works', async () => {
      const deviceID = newDeviceId();
      const userID = newUserId();
      const refused = await appSdk.post('/device', { deviceID, platform: 'iOS', userID, userName: 'Mallory' });
      expect({ status: refused.status, body: refused.body }).toEqual(restrictedAnswer);
      expect((await appBackend.get(`/device/${deviceID}`)).status).toBe(404);

      const accepted = await appBackend.post('/device', { deviceID, platform: 'iOS', userID, userName: 'Ada' });
      expect(accepted.status).toBe(201);
      expect((await appBackend.get(`/device/${deviceID}`)).body.device).toMatchObject({ userID, userName: 'Ada' });

      // The SDK re-registering the device with another user is refused too, and changes nothing.
      const moved = await appSdk.post('/device', { deviceID, platform: 'iOS', userID: newUserId() });
      expect({ status: moved.status, body: moved.body }).toEqual(restrictedAnswer);
      expect((await appBackend.get(`/device/${deviceID}`)).body.device).toMatchObject({ userID });
    });

    it("the SDK cannot change the user's data through its device; the master secret can", async () => {
      const deviceID = await registered(appSdk);
      const userID = newUserId();
      expect((await appBackend.put(`/device/${deviceID}/user`, { userID, userName: 'Ada' })).status).toBe(200);

      const refused = await appSdk.put(`/device/${deviceID}/userdata`, { firstName: 'Mallory' });
      expect({ status: refused.status, body: refused.body }).toEqual(restrictedAnswer);

      const allowed = await appBackend.put(`/device/${deviceID}/userdata/override`, { firstName: 'Ada' });
      expect(allowed.status).toBe(200);
      expect((await appSdk.get(`/device/${deviceID}/userdata`)).body).toEqual({ userData: { firstName: 'Ada' } });
    });
  });

  it('device writes honour Prefer: respond-async and Idempotency-Key', async () => {
    const deviceID = newDeviceId();
    const body = { deviceID, platform: 'Web', transport: 'WebPush' };
    const first = await sdk.post('/device', body, { 'idempotency-key': `register-${deviceID}` });
    expect(first.status).toBe(201);
    const retry = await sdk.post('/device', body, { 'idempotency-key': `register-${deviceID}` });
    expect({ status: retry.status, body: retry.body, replayed: retry.headers.get('idempotent-replayed') }).toEqual({
      status: 201,
      body: first.body,
      replayed: 'true',
    });

    const pending = await sdk.put(`/device/${deviceID}/addtag`, { tag: 'later' }, { prefer: 'respond-async' });
    expect(pending.status).toBe(202);
    await waitFor(async () => (await sdk.get(`/command/${pending.body.commandId}`)).body.command?.status === 'completed', {
      description: 'the tag command to complete',
    });
    expect((await sdk.get(`/device/${deviceID}/tags`)).body).toEqual({ tags: ['later'] });
  });
});
