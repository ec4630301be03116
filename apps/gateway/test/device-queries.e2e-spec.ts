import { randomUUID } from 'node:crypto';
import { ApiClient, ApplicationCredentials, TestDatabase, TestKafka, TestStack, createApplication, testDatabase, testKafka, waitFor } from '@omni/testing';

type Position = [number, number];

/** [longitude, latitude] of a few places. */
const AMSTERDAM: Position = [4.9041, 52.3676];
const ROTTERDAM: Position = [4.4777, 51.9244];
const BRUSSELS: Position = [4.3517, 50.8503];

/**
 * The backend's device queries (locations, tags, regions, subscriptions, search, region states)
 * and the SDK's Do Not Disturb routes, over real HTTP with every service running.
 */
describe('device queries and Do Not Disturb', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let a: ApplicationCredentials;
  let b: ApplicationCredentials;

  const sdk = (app: ApplicationCredentials) => new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.applicationSecret);
  const master = (app: ApplicationCredentials) => new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.masterSecret);
  const ids = (body: { devices: { deviceID: string }[] }) => body.devices.map((device) => device.deviceID).sort();
  const fieldsOf = (body: { fields?: { field: string }[] }) => (body.fields ?? []).map((f) => f.field);
  const deviceNotFound = { status: 404, code: 'DEVICE_NOT_FOUND', message: 'device not found' };

  /** A's devices and contacts, by name. */
  const devices = {
    amsterdam: `ams-${randomUUID()}`,
    rotterdam: `rtm-${randomUUID()}`,
    brussels: `bru-${randomUUID()}`,
    nowhere: `nowhere-${randomUUID()}`,
    gone: `gone-${randomUUID()}`,
  };
  let email: string;
  let sms: string;
  const emailAddress = `john.doe-${randomUUID().slice(0, 8)}@example.com`;
  const phone = `+3161${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const userID = `U-${randomUUID()}`;
  /** B's device, where A's Amsterdam device is, with A's tag and region. */
  const foreign = `b-ams-${randomUUID()}`;

  async function register(app: ApplicationCredentials, deviceID: string, properties: Record<string, unknown>, tags: string[]) {
    const answer = await sdk(app).post('/device', { deviceID, platform: 'Android', transport: 'GCM', ...properties });
    expect({ deviceID, status: answer.status }).toEqual({ deviceID, status: 201 });
    if (tags.length > 0) expect((await sdk(app).put(`/device/${deviceID}/addtags`, { tags })).status).toBe(200);
  }

  async function contact(channel: 'email' | 'sms', body: Record<string, unknown>): Promise<string> {
    const answer = await master(a).post(`/${channel}`, body);
    expect(answer.status).toBe(201);
    return answer.body.device.deviceID as string;
  }

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    stack = await new TestStack({ databaseUrl: db.url, brokers: kafka.brokers, topicPrefix: kafka.prefix }).start();
    [a, b] = await Promise.all([
      createApplication(stack.gatewayUrl, stack.adminSecret, 'Queries A'),
      createApplication(stack.gatewayUrl, stack.adminSecret, 'Queries B'),
    ]);
    await register(a, devices.amsterdam, { location: { type: 'Point', coordinates: AMSTERDAM }, region: 'NL' }, ['shoes', 'city-ams']);
    await register(a, devices.rotterdam, { location: { type: 'Point', coordinates: ROTTERDAM }, region: 'nl' }, ['shoes']);
    await register(a, devices.brussels, { location: { type: 'Point', coordinates: BRUSSELS }, region: 'BE' }, ['Chocolate']);
    await register(a, devices.nowhere, { region: 'NL' }, ['shoes']);
    await register(a, devices.gone, { location: { type: 'Point', coordinates: AMSTERDAM }, region: 'NL' }, ['shoes']);
    expect((await sdk(a).delete(`/device/${devices.gone}`)).status).toBe(200);
    expect((await master(a).put(`/device/${devices.amsterdam}/user`, { userID, userName: 'Ada' })).status).toBe(200);
    email = await contact('email', { email: emailAddress, region: 'NL', tags: ['shoes'] });
    sms = await contact('sms', { phone, tags: ['shoes', 'sms-only'] });
    await register(b, foreign, { location: { type: 'Point', coordinates: AMSTERDAM }, region: 'NL' }, ['shoes', 'b-secret']);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await db?.drop();
  });

  describe('by location', () => {
    it('GET /device/bylocation/{latitude}/{longitude}/{distance}: great-circle distance in kilometres', async () => {
      const around = async (distance: number) => {
        const answer = await master(a).get(`/device/bylocation/${AMSTERDAM[1]}/${AMSTERDAM[0]}/${distance}`);
        expect(answer.status).toBe(200);
        expect(answer.body.count).toBe(answer.body.devices.length);
        return ids(answer.body);
      };
      // Rotterdam is ~57 km from Amsterdam, Brussels ~173 km.
      expect(await around(1)).toEqual([devices.amsterdam]);
      expect(await around(50)).toEqual([devices.amsterdam]);
      expect(await around(60)).toEqual([devices.amsterdam, devices.rotterdam].sort());
      expect(await around(170)).toEqual([devices.amsterdam, devices.rotterdam].sort());
      expect(await around(180)).toEqual([devices.amsterdam, devices.brussels, devices.rotterdam].sort());
      // The answer is the reference's DeviceList of DeviceModels.
      const one = await master(a).get(`/device/bylocation/${AMSTERDAM[1]}/${AMSTERDAM[0]}/1`);
      expect(one.body).toEqual({ devices: [expect.objectContaining({ deviceID: devices.amsterdam, userID, location: { type: 'Point', coordinates: AMSTERDAM }, region: 'NL' })], count: 1 });
    });

    it('GET /device/bylocation/{lat1}/{long1}/{lat2}/{long2}: the box of two opposite corners, in either order', async () => {
      const box = async (path: string) => {
        const answer = await master(a).get(`/device/bylocation/${path}`);
        expect(answer.status).toBe(200);
        return ids(answer.body);
      };
      expect(await box('52/4/53/5')).toEqual([devices.amsterdam]);
      expect(await box('53/5/52/4')).toEqual([devices.amsterdam]);
      expect(await box('51.5/4/52.5/5.5')).toEqual([devices.amsterdam, devices.rotterdam].sort());
      expect(await box('50/4/53/5')).toEqual([devices.amsterdam, devices.brussels, devices.rotterdam].sort());
      expect(await box('-10/-10/10/10')).toEqual([]);
    });

    it('POST /device/bygeometry: inside the polygon, outside its holes; 200 with a DeviceList', async () => {
      const outer: Position[] = [[4.0, 51.5], [5.5, 51.5], [5.5, 52.6], [4.0, 52.6], [4.0, 51.5]];
      const hole: Position[] = [[4.8, 52.3], [5.0, 52.3], [5.0, 52.45], [4.8, 52.45], [4.8, 52.3]];
      const inside = await master(a).post('/device/bygeometry', { geometry: { type: 'Polygon', coordinates: [outer] } });
      expect(inside.status).toBe(200);
      expect(ids(inside.body)).toEqual([devices.amsterdam, devices.rotterdam].sort());
      expect(inside.body.count).toBe(2);
      const holed = await master(a).post('/device/bygeometry', { geometry: { type: 'Polygon', coordinates: [outer, hole] } });
      expect(ids(holed.body)).toEqual([devices.rotterdam]);
      // A triangle around Brussels only.
      const triangle = await master(a).post('/device/bygeometry?limit=10', { geometry: { type: 'Polygon', coordinates: [[[4, 50.5], [4.8, 50.5], [4.4, 51.2], [4, 50.5]]] } });
      expect(ids(triangle.body)).toEqual([devices.brussels]);
    });

    it('refuses bad coordinates, distances and polygons with 400 naming the field', async () => {
      const cases: [string, string][] = [
        ['/device/bylocation/91/4.9/1', 'latitude'],
        ['/device/bylocation/52/-181/1', 'longitude'],
        ['/device/bylocation/52/4.9/0', 'distance'],
        ['/device/bylocation/52/4.9/-3', 'distance'],
        ['/device/bylocation/52/4.9/far', 'distance'],
        ['/device/bylocation/north/4/53/5', 'lat1'],
        ['/device/bylocation/52/4/53/190', 'long2'],
        ['/device/bylocation/52/4.9/1?limit=1001', 'limit'],
        ['/device/bylocation/52/4/53/5?medium=fax', 'medium'],
      ];
      for (const [path, field] of cases) {
        const answer = await master(a).get(path);
        expect({ path, status: answer.status, fields: fieldsOf(answer.body) }).toEqual({ path, status: 400, fields: [field] });
      }
      const polygons: [unknown, string][] = [
        [{}, 'geometry'],
        [{ geometry: { type: 'MultiPolygon', coordinates: [[[4, 52], [5, 52], [5, 53], [4, 52]]] } }, 'geometry.type'],
        [{ geometry: { type: 'Polygon', coordinates: [[[4, 52], [5, 52], [5, 53], [4, 53]]] } }, 'geometry.coordinates'],
        [{ geometry: { type: 'Polygon', coordinates: [[[4, 52], [5, 52], [4, 52]]] } }, 'geometry.coordinates'],
        [{ geometry: { type: 'Polygon', coordinates: [[[4, 52], [5, 95], [5, 53], [4, 52]]] } }, 'geometry.coordinates'],
      ];
      for (const [body, field] of polygons) {
        const answer = await master(a).post('/device/bygeometry', body);
        expect({ body, status: answer.status, fields: fieldsOf(answer.body) }).toEqual({ body, status: 400, fields: [field] });
      }
    });
  });

  describe('by region, tag, subscription, search', () => {
    it("GET /device/forregion/{region}: the region code devices and contacts report (any letter case); a geofence id matches none", async () => {
      expect(ids((await master(a).get('/device/forregion/NL')).body)).toEqual([devices.amsterdam, devices.nowhere, devices.rotterdam].sort());
      expect(ids((await master(a).get('/device/forregion/nl?medium=all')).body)).toEqual([devices.amsterdam, devices.nowhere, devices.rotterdam, email].sort());
      expect(ids((await master(a).get('/device/forregion/BE')).body)).toEqual([devices.brussels]);
      expect((await master(a).get('/device/forregion/5245bc5b3e66a3b01f0024d4')).body).toEqual({ devices: [], count: 0 });
    });

    it('GET /device/fortag/{tag} and /count: exact tag, per medium, paged', async () => {
      const push = [devices.amsterdam, devices.nowhere, devices.rotterdam].sort();
      expect(ids((await master(a).get('/device/fortag/shoes')).body)).toEqual(push);
      expect(ids((await master(a).get('/device/fortag/shoes?medium=all')).body)).toEqual([...push, email, sms].sort());
      expect(ids((await master(a).get('/device/fortag/shoes?medium=sms')).body)).toEqual([sms]);
      expect((await master(a).get('/device/fortag/sho')).body).toEqual({ devices: [], count: 0 });
      expect((await master(a).get('/device/fortag/shoes/count')).body).toEqual({ count: 3 });
      expect((await master(a).get('/device/fortag/shoes/count?medium=all')).body).toEqual({ count: 5 });
      expect((await master(a).get('/device/fortag/nothing/count')).body).toEqual({ count: 0 });

      // Registration order, skip and limit; count is the total.
      const all = (await master(a).get('/device/fortag/shoes?medium=all')).body.devices.map((d: { deviceID: string }) => d.deviceID);
      const page = await master(a).get('/device/fortag/shoes?medium=all&skip=1&limit=2');
      expect(page.body.devices.map((d: { deviceID: string }) => d.deviceID)).toEqual(all.slice(1, 3));
      expect(page.body.count).toBe(5);
      expect(fieldsOf((await master(a).get('/device/fortag/shoes?limit=1001')).body)).toEqual(['limit']);
      expect(fieldsOf((await master(a).get(`/device/fortag/${'t'.repeat(65)}`)).body)).toEqual(['tag']);
    });

    it('GET /device/tags: every tag of the active devices and contacts with its device count (DeviceTagList), paged', async () => {
      const answer = await master(a).get('/device/tags');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        tags: [
          { tag: 'Chocolate', deviceCount: 1 },
          { tag: 'city-ams', deviceCount: 1 },
          { tag: 'shoes', deviceCount: 5 },
          { tag: 'sms-only', deviceCount: 1 },
        ],
        count: 4,
      });
      const page = await master(a).get('/device/tags?skip=1&limit=2');
      expect(page.body).toEqual({ tags: [{ tag: 'city-ams', deviceCount: 1 }, { tag: 'shoes', deviceCount: 5 }], count: 4 });
      expect(fieldsOf((await master(a).get('/device/tags?limit=5000')).body)).toEqual(['limit']);
    });

    it('GET /device/tags/{tag}: the tags that contain the string, any letter case', async () => {
      expect((await master(a).get('/device/tags/CHOC')).body).toEqual({ tags: [{ tag: 'Chocolate', deviceCount: 1 }], count: 1 });
      expect((await master(a).get('/device/tags/s')).body.tags.map((t: { tag: string }) => t.tag)).toEqual(['city-ams', 'shoes', 'sms-only']);
      expect((await master(a).get('/device/tags/b-secret')).body).toEqual({ tags: [], count: 0 });
    });

    it('GET /device/forsubscription/{subscription}: a push deviceID, an email address, a phone number: a list of one', async () => {
      expect(ids((await master(a).get(`/device/forsubscription/${devices.rotterdam}`)).body)).toEqual([devices.rotterdam]);
      expect(ids((await master(a).get(`/device/forsubscription/${encodeURIComponent(emailAddress.toUpperCase())}?medium=email`)).body)).toEqual([email]);
      expect(ids((await master(a).get(`/device/forsubscription/${encodeURIComponent(phone)}?medium=sms`)).body)).toEqual([sms]);
      // Push by default: the address is no push device's.
      expect((await master(a).get(`/device/forsubscription/${encodeURIComponent(emailAddress)}`)).body).toEqual({ devices: [], count: 0 });
      expect((await master(a).get(`/device/forsubscription/${devices.gone}`)).body).toEqual({ devices: [], count: 0 });
    });

    it('GET /device/search/{search}: an exact deviceID alone, else push by deviceID and contacts by part of their address', async () => {
      expect(ids((await master(a).get(`/device/search/${devices.brussels}?medium=all`)).body)).toEqual([devices.brussels]);
      expect(ids((await master(a).get(`/device/search/${email}?medium=all`)).body)).toEqual([email]);
      expect(ids((await master(a).get('/device/search/JOHN.DOE?medium=all')).body)).toEqual([email]);
      expect(ids((await master(a).get(`/device/search/${encodeURIComponent(phone.slice(3, 9))}?medium=sms`)).body)).toEqual([sms]);
      // Push devices match exactly only; the default medium is push.
      expect((await master(a).get(`/device/search/${devices.brussels.slice(0, 8)}`)).body).toEqual({ devices: [], count: 0 });
      expect((await master(a).get('/device/search/john.doe')).body).toEqual({ devices: [], count: 0 });
    });
  });

  describe('notifications and region states (the product keeps neither)', () => {
    it('GET /device/foruser/{userID}/fornotification/{notification}: an empty DeviceList', async () => {
      const answer = await master(a).get(`/device/foruser/${userID}/fornotification/5245bc5b3e66a3b01f0024d4`);
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { devices: [], count: 0 } });
      expect((await master(a).get(`/device/foruser/unknown-${randomUUID()}/fornotification/x`)).body).toEqual({ devices: [], count: 0 });
      expect(fieldsOf((await master(a).get(`/device/foruser/${'u'.repeat(257)}/fornotification/x`)).body)).toEqual(['userID']);
    });

    it('GET /device/{deviceID}/regionstate: none for an active device; a state in a region or at a beacon: 404 REGION_STATE_NOT_FOUND', async () => {
      expect((await master(a).get(`/device/${devices.amsterdam}/regionstate`)).body).toEqual({ regionStates: [], count: 0 });
      for (const path of ['forregion/5245bc5b3e66a3b01f0024d4', 'forbeacon/5245bc5b3e66a3b01f0024d5']) {
        const answer = await master(a).get(`/device/${devices.amsterdam}/regionstate/${path}`);
        expect({ path, status: answer.status, body: answer.body }).toEqual({
          path,
          status: 404,
          body: { status: 404, code: 'REGION_STATE_NOT_FOUND', message: 'region state not found' },
        });
      }
      for (const deviceID of [`missing-${randomUUID()}`, devices.gone]) {
        for (const path of ['regionstate', 'regionstate/forregion/r1', 'regionstate/forbeacon/b1']) {
          const answer = await master(a).get(`/device/${deviceID}/${path}`);
          expect({ path, status: answer.status, body: answer.body }).toEqual({ path, status: 404, body: deviceNotFound });
        }
      }
    });
  });

  it("another application's queries never see this one's devices, and this one's never see theirs", async () => {
    const reads = [
      `/device/bylocation/${AMSTERDAM[1]}/${AMSTERDAM[0]}/1`,
      '/device/bylocation/52/4/53/5',
      '/device/forregion/NL',
      '/device/fortag/shoes',
      `/device/forsubscription/${foreign}`,
      `/device/search/${foreign}`,
    ];
    for (const path of reads) {
      expect({ path, ours: ids((await master(a).get(path)).body).includes(foreign) }).toEqual({ path, ours: false });
      const theirs = (await master(b).get(path)).body;
      expect({ path, theirs: ids(theirs).filter((id) => Object.values(devices).includes(id) || id === email || id === sms) }).toEqual({ path, theirs: [] });
    }
    expect(ids((await master(b).get('/device/fortag/shoes')).body)).toEqual([foreign]);
    const square = { geometry: { type: 'Polygon', coordinates: [[[4, 52], [5.5, 52], [5.5, 53], [4, 53], [4, 52]]] } };
    expect(ids((await master(b).post('/device/bygeometry', square)).body)).toEqual([foreign]);
    expect((await master(b).get('/device/fortag/shoes/count?medium=all')).body).toEqual({ count: 1 });
    expect((await master(b).get('/device/tags')).body).toEqual({ tags: [{ tag: 'b-secret', deviceCount: 1 }, { tag: 'shoes', deviceCount: 1 }], count: 2 });
    expect((await master(a).get('/device/tags/secret')).body).toEqual({ tags: [], count: 0 });
    expect((await master(b).get(`/device/search/${email}?medium=all`)).body).toEqual({ devices: [], count: 0 });
    expect((await master(b).get(`/device/${devices.amsterdam}/regionstate`)).body).toEqual(deviceNotFound);
    // The SDK's credential reads none of them.
    expect((await sdk(a).get('/device/tags')).status).toBe(403);
  });

  it('pages default to 100 devices and go up to 1000', async () => {
    const c = await createApplication(stack.gatewayUrl, stack.adminSecret, 'Queries C');
    const deviceIds = Array.from({ length: 101 }, (_, i) => `bulk-${String(i).padStart(3, '0')}-${randomUUID()}`);
    for (let start = 0; start < deviceIds.length; start += 20) {
      const answers = await Promise.all(
        deviceIds
          .slice(start, start + 20)
          .map((deviceID) => sdk(c).post('/device', { deviceID, platform: 'iOS', transport: 'APNS', region: 'XX', location: { type: 'Point', coordinates: AMSTERDAM } }, { prefer: 'respond-async' })),
      );
      for (const answer of answers) expect([201, 202]).toContain(answer.status);
    }
    await waitFor(async () => (await master(c).get('/device/forregion/XX')).body.count === 101, { timeoutMs: 60_000, description: '101 devices in the read model' });
    for (const path of ['/device/forregion/XX', `/device/bylocation/${AMSTERDAM[1]}/${AMSTERDAM[0]}/1`, '/device/bylocation/52/4/53/5']) {
      const first = await master(c).get(path);
      expect({ path, listed: first.body.devices.length, count: first.body.count }).toEqual({ path, listed: 100, count: 101 });
      const all = await master(c).get(`${path}?limit=1000`);
      expect({ path, listed: all.body.devices.length }).toEqual({ path, listed: 101 });
      const rest = await master(c).get(`${path}?skip=100`);
      expect({ path, listed: rest.body.devices.length }).toEqual({ path, listed: 1 });
    }
  }, 120_000);

  describe('Do Not Disturb (SDK)', () => {
    it('GET, PUT and clear: a device property written through the backbone, read back at once', async () => {
      const deviceID = `dnd-${randomUUID()}`;
      await register(a, deviceID, {}, []);
      const device = sdk(a);
      expect((await device.get(`/device/${deviceID}/dnd`)).body).toEqual({ dnd: null });

      const put = await device.put(`/device/${deviceID}/dnd`, { start: '23:00', end: '07:00' });
      expect({ status: put.status, body: put.body }).toEqual({ status: 200, body: { message: 'device updated' } });
      expect((await device.get(`/device/${deviceID}/dnd`)).body).toEqual({ dnd: { start: '23:00', end: '07:00' } });
      expect((await master(a).get(`/device/${deviceID}`)).body.device).toMatchObject({ deviceID, dnd: { start: '23:00', end: '07:00' } });

      // The same period again changes nothing and answers the same.
      expect((await device.put(`/device/${deviceID}/dnd`, { start: '23:00', end: '07:00' })).body).toEqual({ message: 'device updated' });
      expect((await master(a).put(`/device/${deviceID}/dnd`, { start: '22:15', end: '06:45' })).status).toBe(200);
      expect((await device.get(`/device/${deviceID}/dnd`)).body).toEqual({ dnd: { start: '22:15', end: '06:45' } });

      const clear = await device.put(`/device/${deviceID}/cleardnd`);
      expect({ status: clear.status, body: clear.body }).toEqual({ status: 200, body: { message: 'device updated' } });
      expect((await device.get(`/device/${deviceID}/dnd`)).body).toEqual({ dnd: null });
      expect((await master(a).get(`/device/${deviceID}`)).body.device.dnd).toBeNull();
      expect((await device.put(`/device/${deviceID}/cleardnd`)).status).toBe(200);
    });

    it('bad times are 400 naming dnd.start or dnd.end, and change nothing', async () => {
      const deviceID = `dnd-${randomUUID()}`;
      await register(a, deviceID, {}, []);
      expect((await sdk(a).put(`/device/${deviceID}/dnd`, { start: '08:00', end: '09:30' })).status).toBe(200);
      const cases: [unknown, string[]][] = [
        [{}, ['dnd.start', 'dnd.end']],
        [{ start: '24:00', end: '07:00' }, ['dnd.start']],
        [{ start: '23:00', end: '7:00' }, ['dnd.end']],
        [{ start: 2300, end: '07:00' }, ['dnd.start']],
        [{ start: '23:00:00', end: null }, ['dnd.start', 'dnd.end']],
      ];
      for (const [body, fields] of cases) {
        const answer = await sdk(a).put(`/device/${deviceID}/dnd`, body);
        expect({ body, status: answer.status, code: answer.body.code, fields: fieldsOf(answer.body) }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED', fields });
      }
      expect((await sdk(a).get(`/device/${deviceID}/dnd`)).body).toEqual({ dnd: { start: '08:00', end: '09:30' } });
    });

    it("an unknown, deactivated or other application's device is 404 DEVICE_NOT_FOUND", async () => {
      for (const deviceID of [`missing-${randomUUID()}`, devices.gone]) {
        for (const [method, path, body] of [
          ['GET', 'dnd', undefined],
          ['PUT', 'dnd', { start: '23:00', end: '07:00' }],
          ['PUT', 'cleardnd', undefined],
        ] as const) {
          const answer = await sdk(a).request(method, `/device/${deviceID}/${path}`, body);
          expect({ method, path, status: answer.status, body: answer.body }).toEqual({ method, path, status: 404, body: deviceNotFound });
        }
      }
      expect((await sdk(b).put(`/device/${devices.amsterdam}/dnd`, { start: '01:00', end: '02:00' })).body).toEqual(deviceNotFound);
      expect((await sdk(a).get(`/device/${devices.amsterdam}/dnd`)).body).toEqual({ dnd: null });
    });

    it('with user registration restricted to the API, the SDK still sets its own device\'s period (as PUT /device/{deviceID})', async () => {
      const restricted = await createApplication(stack.gatewayUrl, stack.adminSecret, 'Restricted');
      expect((await master(restricted).put('/application/settings', { userRegistration: 'api' })).status).toBe(200);
      const deviceID = `dnd-${randomUUID()}`;
      await register(restricted, deviceID, {}, []);
      expect((await master(restricted).put(`/device/${deviceID}/user`, { userID: `U-${randomUUID()}`, userName: 'Ada' })).status).toBe(200);
      expect((await sdk(restricted).put(`/device/${deviceID}/dnd`, { start: '21:00', end: '06:00' })).status).toBe(200);
      expect((await sdk(restricted).get(`/device/${deviceID}/dnd`)).body).toEqual({ dnd: { start: '21:00', end: '06:00' } });
    });

    it('PUT /device/{deviceID} takes the period too; Prefer: respond-async answers 202 and the period follows', async () => {
      const deviceID = `dnd-${randomUUID()}`;
      await register(a, deviceID, {}, []);
      expect((await sdk(a).put(`/device/${deviceID}`, { dnd: { start: '20:00', end: '05:00' } })).status).toBe(200);
      expect((await sdk(a).get(`/device/${deviceID}/dnd`)).body).toEqual({ dnd: { start: '20:00', end: '05:00' } });
      const accepted = await sdk(a).put(`/device/${deviceID}/cleardnd`, undefined, { prefer: 'respond-async' });
      expect(accepted.status).toBe(202);
      await waitFor(async () => (await sdk(a).get(`/device/${deviceID}/dnd`)).body.dnd === null, { timeoutMs: 10_000, description: 'dnd cleared' });
    });
  });
});
