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
  const forbidden = (credentials: string) => ({ status: 403, code: 'FORBIDDEN', message: `this route does not accept ${credentials} credentials` });

  /** The push devices on a user's unified profile (none for a user the read model does not know). */
  async function profilePushOf(userID: string, client = backend): Promise<string[]> {
    const answer = await client.get(`/user/foruserid/${userID}/profile`);
    if (answer.status === 404) return [];
    expect(answer.status).toBe(200);
    return answer.body.profile.channels.push.map((d: { deviceID: string }) => d.deviceID);
  }

  /** A user's devices of every medium, as GET /device/foruser lists them. */
  async function forUserOf(userID: string, client = backend, medium = 'all'): Promise<{ deviceID: string; medium: string; userData: unknown }[]> {
    const answer = await client.get(`/device/foruser/${userID}?medium=${medium}`);
    expect(answer.status).toBe(200);
    return answer.body.devices;
  }

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
    expect(await profilePushOf(userA)).toEqual([deviceID]);
    expect((await backend.get(`/user/foruserid/${userA}/profile`)).body.profile).toMatchObject({ userID: userA, userName: 'Ada' });

    expect((await backend.put(`/device/${deviceID}/user`, { userID: userB, userName: 'Bea' })).status).toBe(200);
    expect(await forUser(userA)).toEqual({ devices: [], count: 0 });
    expect(idsOf(await forUser(userB))).toEqual([deviceID]);
    // The unified profiles follow: gone from A's, on B's.
    expect(await profilePushOf(userA)).toEqual([]);
    expect(await profilePushOf(userB)).toEqual([deviceID]);
    expect((await backend.get(`/user/foruserid/${userB}/profile`)).body.profile).toMatchObject({ userID: userB, userName: 'Bea' });
    expect(idsOf(await forUser(userB, '?medium=all'))).toEqual([deviceID]);
    // The user has no email contact or SMS number: those media are empty lists.
    expect(await forUser(userB, '?medium=email')).toEqual({ devices: [], count: 0 });
    expect(await forUser(userB, '?medium=sms')).toEqual({ devices: [], count: 0 });
    const badMedium = await backend.get(`/device/foruser/${userB}?medium=fax`);
    expect(badMedium.status).toBe(400);
    expect(fieldsOf(badMedium.body)).toEqual(['medium']);

    const detach = await backend.delete(`/device/${deviceID}/user`);
    expect({ status: detach.status, body: detach.body }).toEqual({ status: 200, body: { message: 'device updated' } });
    expect(await forUser(userB)).toEqual({ devices: [], count: 0 });
    expect(await profilePushOf(userB)).toEqual([]);
    expect((await backend.get(`/device/${deviceID}`)).body.device).toMatchObject({ deviceID, userID: null, userName: null, active: true });

    // The SDK cannot use the backend's user routes at all.
    const sdkAttach = await sdk.put(`/device/${deviceID}/user`, { userID: userA });
    expect({ status: sdkAttach.status, body: sdkAttach.body }).toEqual({ status: 403, body: forbidden('application secret') });
    const sdkDetach = await sdk.delete(`/device/${deviceID}/user`);
    expect({ status: sdkDetach.status, body: sdkDetach.body }).toEqual({ status: 403, body: forbidden('application secret') });
    expect((await backend.get(`/device/${deviceID}`)).body.device).toMatchObject({ userID: null });
  });

  it('a master POST /device with another userID moves the device between the users, profiles included', async () => {
    const deviceID = await registered();
    const [userA, userB] = [newUserId(), newUserId()];
    expect((await backend.put(`/device/${deviceID}/user`, { userID: userA, userName: 'Ada' })).status).toBe(200);
    expect(await profilePushOf(userA)).toEqual([deviceID]);

    const moved = await backend.post('/device', { deviceID, platform: 'Android', transport: 'GCM', userID: userB, userName: 'Bea' });
    expect({ status: moved.status, body: moved.body }).toEqual({ status: 200, body: { message: 'device updated' } });
    expect((await backend.get(`/device/${deviceID}`)).body.device).toMatchObject({ deviceID, userID: userB, userName: 'Bea', active: true });
    expect(await profilePushOf(userA)).toEqual([]);
    expect(await profilePushOf(userB)).toEqual([deviceID]);
    expect((await forUserOf(userA)).map((d) => d.deviceID)).toEqual([]);
    expect((await forUserOf(userB)).map((d) => d.deviceID)).toEqual([deviceID]);
  });

  it('the SDK registering with a userID attaches the device to that user (sdk mode); a null userID detaches it', async () => {
    const userID = newUserId();
    const deviceID = await registered(sdk, { userID, userName: 'Ada' });
    expect((await backend.get(`/device/${deviceID}`)).body.device).toMatchObject({ userID, userName: 'Ada' });
    expect(await profilePushOf(userID)).toEqual([deviceID]);
    expect((await backend.get(`/user/foruserid/${userID}/profile`)).body.profile).toMatchObject({ userID, userName: 'Ada' });

    const detached = await sdk.post('/device', { deviceID, platform: 'Android', transport: 'GCM', userID: null });
    expect({ status: detached.status, body: detached.body }).toEqual({ status: 200, body: { message: 'device updated' } });
    expect((await backend.get(`/device/${deviceID}`)).body.device).toMatchObject({ deviceID, userID: null, userName: null, active: true });
    expect(await profilePushOf(userID)).toEqual([]);
  });

  it('oldDeviceID moves a device to its new id over HTTP, keeping its user, tags and data; the profile shows the new id', async () => {
    const oldID = await registered(sdk, { language: 'nl' });
    const userID = newUserId();
    expect((await backend.put(`/device/${oldID}/user`, { userID, userName: 'Ada' })).status).toBe(200);
    expect((await sdk.put(`/device/${oldID}/addtags`, { tags: ['news', 'sports'] })).status).toBe(200);
    expect((await backend.put(`/device/${oldID}/userdata/override`, { firstName: 'Ada', gender: 'Female' })).status).toBe(200);
    expect(await profilePushOf(userID)).toEqual([oldID]);

    const newID = newDeviceId();
    const moved = await sdk.post('/device', { deviceID: newID, oldDeviceID: oldID, platform: 'Android', transport: 'GCM', appVersion: '2.0' });
    expect({ status: moved.status, body: moved.body }).toEqual({ status: 201, body: { device: { deviceID: newID, message: 'device updated' } } });

    expect((await backend.get(`/device/${newID}`)).body.device).toMatchObject({
      deviceID: newID,
      userID,
      userName: 'Ada',
      tags: ['news', 'sports'],
      userData: { firstName: 'Ada', gender: 'Female' },
      appVersion: '2.0',
      active: true,
    });
    expect((await sdk.get(`/device/${newID}/tags`)).body).toEqual({ tags: ['news', 'sports'] });
    expect((await sdk.get(`/device/${newID}/userdata`)).body).toEqual({ userData: { firstName: 'Ada', gender: 'Female' } });
    expect((await backend.get(`/device/${oldID}`)).body).toEqual(deviceNotFound);
    expect((await sdk.get(`/device/${oldID}/tags`)).status).toBe(404);
    // The profile and the user's list show the new id, not the old one.
    expect(await profilePushOf(userID)).toEqual([newID]);
    expect((await backend.get(`/user/foruserid/${userID}/profile`)).body.profile.userData).toEqual({ firstName: 'Ada', gender: 'Female' });
    expect((await forUserOf(userID)).map((d) => d.deviceID)).toEqual([newID]);

    // An anonymous device's own tags and data move too.
    const anonymousOld = await registered();
    expect((await sdk.put(`/device/${anonymousOld}/addtag`, { tag: 'beta' })).status).toBe(200);
    expect((await sdk.put(`/device/${anonymousOld}/userdata`, { lastName: 'Lovelace' })).status).toBe(200);
    const anonymousNew = newDeviceId();
    expect((await sdk.post('/device', { deviceID: anonymousNew, oldDeviceID: anonymousOld, platform: 'Android', transport: 'GCM' })).status).toBe(201);
    expect((await backend.get(`/device/${anonymousNew}`)).body.device).toMatchObject({ userID: null, tags: ['beta'], userData: { lastName: 'Lovelace' } });
    expect((await backend.get(`/device/${anonymousOld}`)).body).toEqual(deviceNotFound);
  });

  it('under concurrent moves, each move answers only once its old id is gone; the new id carries its user', async () => {
    const moves = await Promise.all(
      Array.from({ length: 24 }, async () => {
        const userID = newUserId();
        return { oldID: await registered(sdk, { userID, userName: 'Ada' }), newID: newDeviceId(), userID };
      }),
    );
    const seen = await Promise.all(
      moves.map(async ({ oldID, newID }) => {
        const moved = await sdk.post('/device', { deviceID: newID, oldDeviceID: oldID, platform: 'Android', transport: 'GCM' });
        const [oldDevice, newDevice] = await Promise.all([backend.get(`/device/${oldID}`), backend.get(`/device/${newID}`)]);
        return { moved: moved.status, old: oldDevice.status, new: newDevice.status, userID: newDevice.body.device?.userID };
      }),
    );
    expect(seen).toEqual(moves.map(({ userID }) => ({ moved: 201, old: 404, new: 200, userID })));
  });

  it("user data written through a user's device is the user's on every channel: push, email and SMS", async () => {
    const userID = newUserId();
    const email = await backend.post('/email', { email: `${userID.toLowerCase()}@example.com`, userID, userName: 'Ada' });
    expect(email.status).toBe(201);
    const phone = `+3162${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const sms = await backend.post('/sms', { phone, userID, userName: 'Ada' });
    expect(sms.status).toBe(201);
    const deviceID = await registered();
    expect((await backend.put(`/device/${deviceID}/user`, { userID, userName: 'Ada' })).status).toBe(200);

    expect((await backend.put(`/device/${deviceID}/userdata/override`, { firstName: 'Ada', birthdate: '1815-12-10' })).status).toBe(200);
    expect((await sdk.put(`/device/${deviceID}/userdata`, { lastName: 'Lovelace' })).status).toBe(200);

    const userData = { firstName: 'Ada', lastName: 'Lovelace', birthdate: '1815-12-10' };
    const channels = await forUserOf(userID);
    expect(channels.map((d) => [d.medium, d.deviceID, d.userData]).sort()).toEqual(
      [
        ['email', email.body.device.deviceID, userData],
        ['push', deviceID, userData],
        ['sms', sms.body.device.deviceID, userData],
      ].sort(),
    );
    expect((await forUserOf(userID, backend, 'email')).map((d) => d.userData)).toEqual([userData]);
    expect((await forUserOf(userID, backend, 'sms')).map((d) => d.userData)).toEqual([userData]);
    const profile = (await backend.get(`/user/foruserid/${userID}/profile`)).body.profile;
    expect(profile.userData).toEqual(userData);
    expect(profile.channels.email.map((c: { deviceID: string }) => c.deviceID)).toEqual([email.body.device.deviceID]);
    expect(profile.channels.sms.map((c: { deviceID: string }) => c.deviceID)).toEqual([sms.body.device.deviceID]);
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

  it('GET /device lists 100 by default, pages with skip, and lists email contacts and SMS numbers by medium', async () => {
    const listed = await newApp('Device lists');
    const [listSdk, listBackend] = [sdkOf(listed), backendOf(listed)];
    const ids: string[] = [];
    for (let batch = 0; batch < 101; batch += 10) {
      ids.push(...(await Promise.all(Array.from({ length: Math.min(10, 101 - batch) }, () => registered(listSdk)))));
    }
    const userID = newUserId();
    const email = await listBackend.post('/email', { email: `list-${randomUUID()}@example.com`, userID });
    const sms = await listBackend.post('/sms', { phone: `+3163${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`, userID });
    expect([email.status, sms.status]).toEqual([201, 201]);
    const idsOf = (body: { devices: { deviceID: string }[] }) => body.devices.map((d) => d.deviceID);

    const firstPage = await listBackend.get('/device');
    expect(firstPage.status).toBe(200);
    expect({ length: firstPage.body.devices.length, count: firstPage.body.count }).toEqual({ length: 100, count: 101 });
    expect(firstPage.body.devices.every((d: { medium: string }) => d.medium === 'push')).toBe(true);
    const rest = (await listBackend.get('/device?skip=100')).body;
    expect(rest.count).toBe(101);
    expect(new Set([...idsOf(firstPage.body), ...idsOf(rest)])).toEqual(new Set(ids));

    const emails = (await listBackend.get('/device?medium=email')).body;
    expect(emails).toMatchObject({ count: 1, devices: [{ deviceID: email.body.device.deviceID, medium: 'email', platform: 'Email', userID }] });
    expect(emails.devices[0].email).toMatch(/^list-.*@example\.com$/);
    const numbers = (await listBackend.get('/device?medium=sms')).body;
    expect(numbers).toMatchObject({ count: 1, devices: [{ deviceID: sms.body.device.deviceID, medium: 'sms', platform: 'SMS', userID }] });
    expect(numbers.devices[0].phone).toMatch(/^\+3163\d{7}$/);
    const all = (await listBackend.get('/device?medium=all&limit=1000')).body;
    expect(all.count).toBe(103);
    expect(new Set(idsOf(all))).toEqual(new Set([...ids, email.body.device.deviceID, sms.body.device.deviceID]));
    const badMedium = await listBackend.get('/device?medium=fax');
    expect({ status: badMedium.status, fields: fieldsOf(badMedium.body) }).toEqual({ status: 400, fields: ['medium'] });
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
      // Re-sending the userID it already has is a plain update.
      expect((await appSdk.post('/device', { deviceID, platform: 'iOS', userID, appVersion: '2.0' })).status).toBe(200);
      expect((await appBackend.get(`/device/${deviceID}`)).body.device).toMatchObject({ userID, userName: 'Ada', appVersion: '2.0' });
    });

    it('an SDK registration with a null userID cannot detach the device from its user; the master secret can', async () => {
      const deviceID = await registered(appSdk);
      const userID = newUserId();
      expect((await appBackend.put(`/device/${deviceID}/user`, { userID, userName: 'Ada' })).status).toBe(200);

      const refused = await appSdk.post('/device', { deviceID, platform: 'Android', transport: 'GCM', userID: null });
      expect({ status: refused.status, body: refused.body }).toEqual(restrictedAnswer);
      expect((await appBackend.get(`/device/${deviceID}`)).body.device).toMatchObject({ deviceID, userID, userName: 'Ada', active: true });
      expect(await profilePushOf(userID, appBackend)).toEqual([deviceID]);
      // Nor through the backend's route: the application secret is not accepted there at all.
      const sdkDetach = await appSdk.delete(`/device/${deviceID}/user`);
      expect({ status: sdkDetach.status, body: sdkDetach.body }).toEqual({ status: 403, body: forbidden('application secret') });
      // A registration that says nothing about the user still updates the device.
      expect((await appSdk.post('/device', { deviceID, platform: 'Android', transport: 'GCM', language: 'de' })).status).toBe(200);
      expect((await appBackend.get(`/device/${deviceID}`)).body.device).toMatchObject({ userID, language: 'de' });

      const detached = await appBackend.post('/device', { deviceID, platform: 'Android', transport: 'GCM', userID: null });
      expect(detached.status).toBe(200);
      expect((await appBackend.get(`/device/${deviceID}`)).body.device).toMatchObject({ deviceID, userID: null });
      expect(await profilePushOf(userID, appBackend)).toEqual([]);
    });

    it('the SDK may still move its device to a new id (oldDeviceID): the user comes along', async () => {
      const oldID = await registered(appSdk);
      const userID = newUserId();
      expect((await appBackend.put(`/device/${oldID}/user`, { userID, userName: 'Ada' })).status).toBe(200);
      const newID = newDeviceId();
      expect((await appSdk.post('/device', { deviceID: newID, oldDeviceID: oldID, platform: 'Android', transport: 'GCM' })).status).toBe(201);
      expect((await appBackend.get(`/device/${newID}`)).body.device).toMatchObject({ userID, userName: 'Ada' });
      expect(await profilePushOf(userID, appBackend)).toEqual([newID]);
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
