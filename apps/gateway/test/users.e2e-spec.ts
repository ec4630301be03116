import { execFile } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { Topics } from '@omni/contracts';
import { qualify } from '@omni/messaging';
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

const execFileAsync = promisify(execFile);

/** Every schema the platform writes to: each service's, the read model's, and the keys'. */
const SCHEMAS = ['gateway', 'device', 'recipient', 'profile', 'projection', 'personal_data'];

interface Person {
  userID: string;
  userName: string;
  nickname: string;
  email: string;
  phone: string;
  deviceID: string;
  /** Unusual enough digits to be found only where this person's location is. */
  latitude: number;
}

function person(label: string): Person {
  const tag = randomUUID().slice(0, 8);
  return {
    userID: `${label}-${tag}`,
    userName: `${label} Name ${tag}`,
    nickname: `nick-${tag}`,
    email: `${label}.${tag}@example.com`,
    phone: `+316${String(randomInt(10_000_000, 99_999_999))}`,
    deviceID: `device-${randomUUID()}`,
    latitude: Number(`52.${randomInt(100_000, 999_999)}1`),
  };
}

/** The values of a person that count as personal data, as they would appear in a table or a message. */
function personalValues(p: Person): string[] {
  return [p.userID, p.userName, p.nickname, p.email, p.phone, String(p.latitude)];
}

/**
 * Users' lifecycle: deactivation, and erasure — after `remove`, no trace of the user's personal
 * data in any table, the read model, the snapshot topic, nor after a replay of the event topics.
 */
describe('users: deactivate and erase', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let app: ApplicationCredentials;
  let master: ApiClient;
  let sdk: ApiClient;
  let pg: Client;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    stack = await new TestStack({ databaseUrl: db.url, brokers: kafka.brokers, topicPrefix: kafka.prefix }).start();
    app = await createApplication(stack.gatewayUrl, stack.adminSecret, 'Users');
    master = new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.masterSecret);
    sdk = new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.applicationSecret);
    expect((await master.post('/application/userdatafields', { key: 'nickname', label: 'Nickname', type: 'text' })).status).toBe(201);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, 120_000);

  afterAll(async () => {
    await pg?.end();
    await stack?.stop();
    await db?.drop();
  });

  /** A person with every channel: a push device with a location, an email contact, an SMS number, user data. */
  async function onboard(p: Person): Promise<void> {
    expect((await sdk.post('/device', { deviceID: p.deviceID, platform: 'iOS', transport: 'APNS' })).status).toBe(201);
    expect((await master.put(`/device/${p.deviceID}/user`, { userID: p.userID, userName: p.userName })).status).toBe(200);
    // Once the device is the user's, its location is the user's personal data (before, it is an anonymous device's).
    expect((await sdk.put(`/device/${p.deviceID}`, { location: { type: 'Point', coordinates: [4.9, p.latitude] } })).status).toBe(200);
    expect((await master.post('/email', { email: p.email, userID: p.userID, userName: p.userName, language: 'en' })).status).toBe(201);
    expect((await master.post('/sms', { phone: p.phone, userID: p.userID, userName: p.userName, region: 'NL' })).status).toBe(201);
    expect((await master.put(`/user/foruserid/${p.userID}/userdata/override`, { userData: { nickname: p.nickname } })).status).toBe(200);
  }

  /** Where each value still appears: `schema.table: value`, over every row of every table, as text. */
  async function tracesOf(values: string[], schemas = SCHEMAS): Promise<string[]> {
    const { rows: tables } = await pg.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE'`,
      [schemas],
    );
    const traces: string[] = [];
    for (const { table_schema, table_name } of tables) {
      const qualified = `"${table_schema}"."${table_name}"`;
      for (const value of values) {
        const { rows } = await pg.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM ${qualified} AS t WHERE strpos(lower(t::text), lower($1)) > 0`,
          [value],
        );
        if (rows[0].count > 0) traces.push(`${table_schema}.${table_name}: ${value}`);
      }
    }
    return traces;
  }

  async function topicText(topic: string): Promise<string> {
    const recorder = await new TopicRecorder(kafka, topic).start();
    const end = await endOffsets(topic);
    await waitFor(() => recorder.messages.length >= end, { timeoutMs: 20_000, description: `all of ${topic}` });
    await recorder.stop();
    return recorder.messages.map((m) => `${m.key ?? ''} ${m.value ?? ''}`).join('\n');
  }

  async function endOffsets(topic: string): Promise<number> {
    const admin = kafka.client.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(qualify({ topicPrefix: kafka.prefix }, topic));
      return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it('deactivate hides a user from the list until a channel registers again; 204, and 404 for an unknown user', async () => {
    const p = person('deact');
    expect((await sdk.post('/device', { deviceID: p.deviceID, platform: 'Android', transport: 'GCM' })).status).toBe(201);
    expect((await master.put(`/device/${p.deviceID}/user`, { userID: p.userID, userName: p.userName })).status).toBe(200);
    const listed = async () => ((await master.get('/user?limit=1000')).body.users as { userID: string }[]).some((u) => u.userID === p.userID);
    expect(await listed()).toBe(true);

    const deactivated = await master.delete(`/user/foruserid/${p.userID}`);
    expect(deactivated.status).toBe(204);
    expect(await listed()).toBe(false);
    // The reference's user object: no segments here, and no auto-generated users.
    expect((await master.get(`/user/foruserid/${p.userID}`)).body.user).toMatchObject({ userID: p.userID, active: false, autoGenerated: false, segments: [] });
    expect((await master.delete(`/user/foruserid/${p.userID}`)).status).toBe(204); // again: nothing changes

    expect((await master.post('/email', { email: p.email, userID: p.userID })).status).toBe(201);
    expect(await listed()).toBe(true);
    expect((await master.get(`/user/foruserid/${p.userID}`)).body.user.active).toBe(true);
    // Deactivated again after a channel brought the user back (the profile-service never saw that).
    expect((await master.delete(`/user/foruserid/${p.userID}`)).status).toBe(204);
    expect(await listed()).toBe(false);
    expect((await master.get(`/user/foruserid/${p.userID}`)).body.user.active).toBe(false);

    const unknown = await master.delete(`/user/foruserid/nobody-${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
  });

  it('erase leaves no trace of the user in any table, the read model or the latest snapshot, and a replay does not bring it back', async () => {
    const erased = person('erase');
    const kept = person('keep');
    await onboard(erased);
    await onboard(kept);

    // The scan sees personal data where it is, and the event topics hold it only sealed.
    expect(await tracesOf([erased.userName, erased.email, erased.nickname])).toEqual(
      expect.arrayContaining(['projection.users: ' + erased.userName, 'recipient.recipients: ' + erased.email, 'projection.users: ' + erased.nickname]),
    );
    const events = [await topicText(Topics.deviceEvents), await topicText(Topics.recipientEvents), await topicText(Topics.profileEvents)].join('\n');
    for (const value of [...personalValues(erased), ...personalValues(kept)]) expect({ value, inEvents: events.includes(value) }).toEqual({ value, inEvents: false });

    const removal = await master.delete(`/user/foruserid/${erased.userID}/remove`);
    expect(removal.status).toBe(202);
    expect(removal.body).toEqual({ message: 'user removal is being processed' });

    await waitFor(async () => (await tracesOf(personalValues(erased))).length === 0, { timeoutMs: 30_000, intervalMs: 500, description: 'no trace left' }).catch(
      async (error: Error) => {
        throw new Error(`${error.message}: ${(await tracesOf(personalValues(erased))).join(', ')}`);
      },
    );
    expect((await master.get(`/user/foruserid/${erased.userID}/profile`)).status).toBe(404);
    expect((await master.delete(`/user/foruserid/${erased.userID}/remove`)).status).toBe(404);
    // The device stays registered, anonymous.
    const device = await master.get(`/device/${erased.deviceID}`);
    expect(device.status).toBe(200);
    expect(device.body.device.userID ?? null).toBeNull();
    // The other user is untouched.
    const keptProfile = (await master.get(`/user/foruserid/${kept.userID}/profile`)).body.profile;
    expect(keptProfile).toMatchObject({ userID: kept.userID, userName: kept.userName, userData: { nickname: kept.nickname } });

    // The snapshot topic: the latest record of the erased user is a tombstone, and the compacted view holds nothing of them.
    const snapshots = await new TopicRecorder(kafka, Topics.profileSnapshots).start();
    const key = `${app.applicationKey}:${erased.userID}`;
    const keptKey = `${app.applicationKey}:${kept.userID}`;
    // Partitions are read independently: wait for the tombstone and for the other user's snapshot.
    await waitFor(
      () => snapshots.messages.some((m) => m.key === key && m.value === null) && snapshots.messages.some((m) => m.key === keptKey && m.value?.includes(kept.nickname)),
      { timeoutMs: 20_000, description: 'the tombstone, and the snapshot of the user kept' },
    );
    await snapshots.stop();
    const latest = new Map(snapshots.messages.map((m) => [m.key, m.value]));
    expect(latest.get(key)).toBeNull();
    const compacted = [...latest.values()].filter((value) => value !== null).join('\n');
    for (const value of personalValues(erased)) expect({ value, inSnapshots: compacted.includes(value) }).toEqual({ value, inSnapshots: false });
    expect(latest.get(keptKey)).toContain(kept.nickname);

    // Rebuild the read model from the event topics (the ops command), and look again.
    await execFileAsync(process.execPath, ['-r', '@swc-node/register', 'scripts/cli.ts', 'replay'], {
      cwd: path.resolve(__dirname, '../../..'),
      env: { ...process.env, DATABASE_URL: db.url, KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC_PREFIX: kafka.prefix, LOG_LEVEL: 'warn' },
      timeout: 60_000,
    });
    expect(await tracesOf(personalValues(erased))).toEqual([]);
    expect((await master.get(`/user/foruserid/${erased.userID}/profile`)).status).toBe(404);
    expect((await master.get(`/device/${erased.deviceID}`)).body.device.userID ?? null).toBeNull();
    const rebuiltKept = (await master.get(`/user/foruserid/${kept.userID}/profile`)).body.profile;
    expect(rebuiltKept).toMatchObject({ userID: kept.userID, userName: kept.userName, userData: { nickname: kept.nickname } });
    const keptTraces = await tracesOf([kept.email, kept.phone, String(kept.latitude)], ['projection']);
    for (const value of [kept.email, kept.phone, String(kept.latitude)]) expect(keptTraces.some((trace) => trace.endsWith(`: ${value}`))).toBe(true);
  }, 120_000);

  it('override: given fields replace, null clears, others stay; a bad field is a 400 naming it and changes nothing', async () => {
    const p = person('override');
    for (const key of ['viaDevice', 'viaUser', 'viaEmail']) await master.post('/application/userdatafields', { key, label: key, type: 'text' });
    const data = async () => (await master.get(`/user/foruserid/${p.userID}/profile`)).body.profile.userData as Record<string, unknown>;

    expect((await master.put(`/user/foruserid/${p.userID}/userdata/override`, { userData: { nickname: 'Jo', viaUser: 'a' } })).status).toBe(200);
    expect((await master.put(`/user/foruserid/${p.userID}/userdata/override`, { userData: { viaUser: null, viaEmail: 'b' } })).status).toBe(200);
    expect(await data()).toEqual({ nickname: 'Jo', viaEmail: 'b' });

    const refused = await master.put(`/user/foruserid/${p.userID}/userdata/override`, { userData: { nickname: 'Changed', shoeSize: 42 } });
    expect(refused.status).toBe(400);
    expect(refused.body.fields.map((f: { field: string }) => f.field)).toEqual(['userData.shoeSize']);
    // The same rule through a contact of the user: the contact is not written either.
    const viaContact = await master.post('/email', { email: p.email, userID: p.userID, userData: { nickname: 'Changed', shoeSize: 42 } });
    expect(viaContact.status).toBe(400);
    expect(await data()).toEqual({ nickname: 'Jo', viaEmail: 'b' });
    expect((await master.get(`/device/foruser/${p.userID}?medium=email`)).body.devices ?? []).toEqual([]);
  });

  it('concurrent writes to one user from the device, user and email routes lose no update', async () => {
    const p = person('concurrent');
    for (const key of ['viaDevice', 'viaUser', 'viaEmail']) await master.post('/application/userdatafields', { key, label: key, type: 'text' });
    expect((await sdk.post('/device', { deviceID: p.deviceID, platform: 'iOS', transport: 'APNS' })).status).toBe(201);
    expect((await master.put(`/device/${p.deviceID}/user`, { userID: p.userID, userName: p.userName })).status).toBe(200);

    // Three writers, each sequential, all at once: every interleaving of the routes may happen.
    const ROUNDS = 15;
    const statuses: number[] = [];
    const writer = async (write: (round: number) => Promise<{ status: number }>) => {
      for (let round = 1; round <= ROUNDS; round++) statuses.push((await write(round)).status);
    };
    await Promise.all([
      writer((round) => master.put(`/device/${p.deviceID}/userdata/override`, { viaDevice: `device-${round}` })),
      writer((round) => master.put(`/user/foruserid/${p.userID}/userdata/override`, { userData: { viaUser: `user-${round}` } })),
      writer((round) => master.post('/email', { email: p.email, userID: p.userID, userData: { viaEmail: `email-${round}` } })),
    ]);
    expect(statuses.filter((status) => status < 200 || status >= 300)).toEqual([]);

    const profile = (await master.get(`/user/foruserid/${p.userID}/profile`)).body.profile;
    expect(profile.userData).toEqual({ viaDevice: `device-${ROUNDS}`, viaUser: `user-${ROUNDS}`, viaEmail: `email-${ROUNDS}` });
    // Every channel of the user carries the user's data.
    expect((await master.get(`/device/${p.deviceID}/userdata`)).body.userData).toEqual(profile.userData);
  }, 60_000);

  it('remove is 404 for a user nobody knows', async () => {
    const response = await master.delete(`/user/foruserid/nobody-${randomUUID()}/remove`);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
  });

  it("a user's channels are bounded: one more device or contact than the application allows is 409 CHANNEL_LIMIT_REACHED, and changes nothing", async () => {
    const limited = await createApplication(stack.gatewayUrl, stack.adminSecret, 'Limited');
    const backend = new ApiClient(stack.gatewayUrl).as(limited.applicationKey, limited.masterSecret);
    const settings = await backend.put('/application/settings', { channelLimits: { devicesPerUser: 2, contactsPerUser: 1 } });
    expect(settings.body.settings.channelLimits).toEqual({ devicesPerUser: 2, contactsPerUser: 1 });
    const p = person('limited');
    // The services apply settings within a second: until then a write may still see the defaults.
    await waitFor(
      async () => (await pg.query('SELECT 1 FROM recipient.application_settings WHERE application = $1 AND version = 2', [limited.applicationKey])).rowCount === 1 &&
        (await pg.query('SELECT 1 FROM device.application_settings WHERE application = $1 AND version = 2', [limited.applicationKey])).rowCount === 1,
      { timeoutMs: 5_000, description: 'the services to apply the limits' },
    );

    const devices = [`${p.deviceID}-1`, `${p.deviceID}-2`, `${p.deviceID}-3`];
    for (const deviceID of devices) expect((await backend.post('/device', { deviceID, platform: 'iOS', transport: 'APNS' })).status).toBe(201);
    expect((await backend.put(`/device/${devices[0]}/user`, { userID: p.userID })).status).toBe(200);
    expect((await backend.put(`/device/${devices[1]}/user`, { userID: p.userID })).status).toBe(200);
    const third = await backend.put(`/device/${devices[2]}/user`, { userID: p.userID });
    expect(third.status).toBe(409);
    expect(third.body).toMatchObject({ status: 409, code: 'CHANNEL_LIMIT_REACHED' });
    expect(third.body.message).toContain('channelLimits.devicesPerUser');

    expect((await backend.post('/email', { email: p.email, userID: p.userID })).status).toBe(201);
    const sms = await backend.post('/sms', { phone: p.phone, userID: p.userID });
    expect(sms.status).toBe(409);
    expect(sms.body).toMatchObject({ code: 'CHANNEL_LIMIT_REACHED' });

    const profile = (await backend.get(`/user/foruserid/${p.userID}/profile`)).body.profile;
    expect(profile.channels.push.map((device: { deviceID: string }) => device.deviceID).sort()).toEqual(devices.slice(0, 2).sort());
    expect(profile.channels.email).toHaveLength(1);
    expect(profile.channels.sms).toEqual([]);

    // Deactivating one makes room.
    expect((await backend.delete(`/device/${devices[0]}`)).status).toBe(200);
    expect((await backend.put(`/device/${devices[2]}/user`, { userID: p.userID })).status).toBe(200);
  });
});
