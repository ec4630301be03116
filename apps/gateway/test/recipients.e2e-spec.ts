import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Topics, recipientId } from '@omni/contracts';
import { EventOpener } from '@omni/personal-data';
import {
  ApiClient,
  ApiResponse,
  ApplicationCredentials,
  SERVICE_APPS,
  TestDatabase,
  TestKafka,
  TestStack,
  TopicRecorder,
  createApplication,
  testDatabase,
  testKafka,
  waitFor,
} from '@omni/testing';

/**
 * Email contacts and SMS numbers through the gateway (backend, master secret), with every service
 * running: POST /email and /sms, PUT, DELETE and the tag routes, checked against the recipient
 * read model (projection.recipients) that the answers promise is up to date.
 */
describe('email contacts and sms numbers', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let sql: Client;
  let app: ApplicationCredentials;
  let backend: ApiClient;

  /** Every address a test sends: none may appear in any app's output. */
  const addresses = new Set<string>();
  const notFound = { status: 404, code: 'RECIPIENT_NOT_FOUND', message: 'recipient not found' };
  const fieldsOf = (body: { fields?: { field: string }[] }) => [...new Set((body.fields ?? []).map((f) => f.field))].sort();
  const answer = (response: ApiResponse) => ({ status: response.status, body: response.body });
  const newEmail = () => remember(`contact-${randomUUID()}@example.com`);
  /** A Dutch mobile number, +3161 and 7 digits. */
  const newPhone = () => remember(`+3161${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`);
  const unknownId = (channel: 'email' | 'sms') => recipientId(channel, channel === 'email' ? `nobody-${randomUUID()}@example.com` : '+31600000000');

  function remember(address: string): string {
    addresses.add(address);
    return address;
  }

  /** The contact as the read model holds it (undefined when it has none). */
  async function contact(id: string, credentials = app) {
    const { rows } = await sql.query(
      `SELECT channel, address, user_id, user_name, properties, tags, user_data, status, verification
         FROM projection.recipients WHERE application = $1 AND recipient_id = $2`,
      [credentials.applicationKey, id],
    );
    return rows[0] as
      | { channel: string; address: string; user_id: string | null; user_name: string | null; properties: Record<string, unknown>; tags: string[]; user_data: Record<string, unknown>; status: string; verification: string }
      | undefined;
  }

  /** POST a new contact (201); returns its id. */
  async function created(channel: 'email' | 'sms', body: Record<string, unknown>): Promise<string> {
    const response = await backend.post(`/${channel}`, body);
    expect(response.status).toBe(201);
    return response.body.device.deviceID as string;
  }

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    stack = await new TestStack({ databaseUrl: db.url, brokers: kafka.brokers, topicPrefix: kafka.prefix, env: { LOG_LEVEL: 'debug' } }).start();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    app = await createApplication(stack.gatewayUrl, stack.adminSecret, 'Recipients');
    backend = new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.masterSecret);
    expect((await backend.post('/application/userdatafields', { key: 'firstName', label: 'First Name', type: 'text' })).status).toBe(201);
    // The recipient-service checks a contact's own user data, the profile-service a user's.
    for (const schema of ['recipient', 'profile'] as const) {
      await waitFor(
        async () => (await sql.query(`SELECT version FROM ${schema}.application_settings WHERE application = $1`, [app.applicationKey])).rows[0]?.version >= 2,
        { timeoutMs: 5_000, description: `the ${schema} service to apply the user data fields` },
      );
    }
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await stack?.stop();
    await db?.drop();
  });

  it("the article's email contact: 201 with its recipient id; the same address spelled otherwise is 200 and the same contact", async () => {
    const email = remember('myemail@domain.com');
    const id = recipientId('email', email);
    const first = await backend.post('/email', { email, userID: 'U123456789', userName: 'John Doe', language: 'en', region: 'NL' });
    expect(answer(first)).toEqual({ status: 201, body: { message: 'subscription created', device: { id, deviceID: id } } });
    expect(id).toBe('email-Zf_QxuYgvh6hXCsdC7ht2Z');
    expect(await contact(id)).toEqual({
      channel: 'email',
      address: email,
      user_id: 'U123456789',
      user_name: 'John Doe',
      properties: expect.objectContaining({ language: 'en', region: 'NL' }),
      tags: [],
      user_data: {},
      status: 'active',
      verification: 'none',
    });

    const again = await backend.post('/email', { email: '  myemail@DOMAIN.Com \n', userID: 'U123456789', userName: 'John Doe', language: 'nl' });
    expect(answer(again)).toEqual({ status: 200, body: { message: 'subscription updated', device: { id, deviceID: id } } });
    expect(await contact(id)).toMatchObject({ address: email, properties: expect.objectContaining({ language: 'nl', region: 'NL' }) });
    const { rows } = await sql.query('SELECT count(*)::int AS n FROM projection.recipients WHERE application = $1 AND address = $2', [app.applicationKey, email]);
    expect(rows[0].n).toBe(1);

    // Readable by its id as the reference's lists show it.
    const byId = await backend.get(`/device/${id}`);
    expect(byId.status).toBe(200);
    expect(byId.body.device).toMatchObject({ deviceID: id, medium: 'email', userID: 'U123456789' });
  });

  it("the article's sms number: 201; a national number with its region is the same number as its E.164 form", async () => {
    const phone = remember('+31123456789');
    const id = recipientId('sms', phone);
    const first = await backend.post('/sms', { phone, userID: 'U123456789', userName: 'John Doe', language: 'en', region: 'NL' });
    expect(answer(first)).toEqual({ status: 201, body: { message: 'subscription created', device: { id, deviceID: id } } });
    expect(id).toBe('sms-OR11cwTLsI8DKC7RkqC-ET');
    expect(await contact(id)).toMatchObject({ channel: 'sms', address: phone, user_id: 'U123456789', status: 'active' });
    expect((await backend.get(`/device/${id}`)).body.device).toMatchObject({ deviceID: id, medium: 'sms', transport: 'SMS' });

    const e164 = newPhone();
    const national = remember(`0${e164.slice(3, 4)} ${e164.slice(4)}`);
    const nationalId = await created('sms', { phone: national, region: 'NL' });
    expect(nationalId).toBe(recipientId('sms', e164));
    expect(await contact(nationalId)).toMatchObject({ address: e164 });
    const international = await backend.post('/sms', { phone: remember(`00${e164.slice(1, 3)} ${e164.slice(3)}`) });
    expect(answer(international)).toEqual({ status: 200, body: { message: 'subscription updated', device: { id: nationalId, deviceID: nationalId } } });
  });

  it('PUT updates properties, user and user data; null clears; absent stays', async () => {
    const id = await created('email', { email: newEmail(), language: 'en', region: 'NL', userID: `U-${randomUUID()}` });
    const update = await backend.put(`/email/${id}`, { language: 'nl', region: null, timeZone: 'Europe/Amsterdam', userID: null, userData: { firstName: 'John' } });
    expect(answer(update)).toEqual({ status: 200, body: { message: 'email contact updated' } });
    const after = await contact(id);
    expect(after).toMatchObject({ user_id: null, user_data: { firstName: 'John' } });
    expect(after?.properties).toMatchObject({ language: 'nl', timeZone: 'Europe/Amsterdam' });
    expect(after?.properties.region ?? null).toBeNull();
    expect(answer(await backend.put(`/email/${id}`, { language: 'de' }))).toEqual({ status: 200, body: { message: 'email contact updated' } });
    expect(await contact(id)).toMatchObject({ user_data: { firstName: 'John' }, properties: expect.objectContaining({ language: 'de', timeZone: 'Europe/Amsterdam' }) });

    const sms = await created('sms', { phone: newPhone() });
    expect(answer(await backend.put(`/sms/${sms}`, { country: 'NL', timeZoneOffset: 1 }))).toEqual({ status: 200, body: { message: 'sms number updated' } });
    expect((await contact(sms))?.properties).toMatchObject({ country: 'NL', timeZoneOffset: 1 });
  });

  it('PUT with no body (a JSON content type, nothing sent) is an update of nothing: 200, the contact unchanged', async () => {
    const ids = { email: await created('email', { email: newEmail(), language: 'en' }), sms: await created('sms', { phone: newPhone(), country: 'NL' }) };
    const authorization = `Basic ${Buffer.from(`${app.applicationKey}:${app.masterSecret}`).toString('base64')}`;
    for (const [channel, message] of [['email', 'email contact updated'], ['sms', 'sms number updated']] as const) {
      const before = await contact(ids[channel]);
      const response = await fetch(`${stack.gatewayUrl}/${channel}/${ids[channel]}`, { method: 'PUT', headers: { authorization, 'content-type': 'application/json' }, body: '' });
      expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { message } });
      expect(await contact(ids[channel])).toEqual(before);
    }
  });

  it("PUT userData on a contact of a user is the user's data: it shows in the profile and on all of the user's channels", async () => {
    const userID = `U-put-${randomUUID()}`;
    const sdk = new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.applicationSecret);
    const deviceID = `device-${randomUUID()}`;
    expect((await sdk.post('/device', { deviceID, platform: 'iOS', transport: 'APNS' })).status).toBe(201);
    expect((await backend.put(`/device/${deviceID}/user`, { userID, userName: 'Grace' })).status).toBe(200);
    const email = await created('email', { email: newEmail(), userID });
    const sms = await created('sms', { phone: newPhone(), userID });
    const profile = async () => (await backend.get(`/user/foruserid/${userID}/profile`)).body.profile as { userData: Record<string, unknown> };
    const channelsData = async () =>
      ((await backend.get(`/device/foruser/${userID}?medium=all`)).body.devices as { deviceID: string; userData: unknown }[])
        .map((channel) => [channel.deviceID, channel.userData])
        .sort();

    const update = await backend.put(`/email/${email}`, { userData: { firstName: 'Grace' }, language: 'en' });
    expect(answer(update)).toEqual({ status: 200, body: { message: 'email contact updated' } });
    expect((await profile()).userData).toEqual({ firstName: 'Grace' });
    expect(await channelsData()).toEqual([deviceID, email, sms].sort().map((id) => [id, { firstName: 'Grace' }]));
    // The contact keeps no data of its own; the rest of the body is the contact's.
    expect(await contact(email)).toMatchObject({ user_id: userID, user_data: {}, properties: expect.objectContaining({ language: 'en' }) });

    // Through the SMS number with Prefer: respond-async: one command, completed once the user's data is visible.
    const viaSms = await backend.put(`/sms/${sms}`, { userData: { firstName: 'Hopper' } }, { prefer: 'respond-async' });
    expect(answer(viaSms)).toEqual({ status: 202, body: { message: 'sms number updated, pending validation', commandId: expect.any(String), status: 'pending' } });
    await waitFor(async () => (await backend.get(`/command/${viaSms.body.commandId}`)).body.command?.status === 'completed', { description: 'the update to complete' });
    expect((await profile()).userData).toEqual({ firstName: 'Hopper' });
    expect(await channelsData()).toEqual([deviceID, email, sms].sort().map((id) => [id, { firstName: 'Hopper' }]));

    // A userID in the body: the data goes to that user, the contact with it.
    const other = `U-put-other-${randomUUID()}`;
    expect(answer(await backend.put(`/email/${email}`, { userID: other, userData: { firstName: 'Ada' } }))).toEqual({ status: 200, body: { message: 'email contact updated' } });
    expect((await backend.get(`/user/foruserid/${other}/profile`)).body.profile).toMatchObject({ userID: other, userData: { firstName: 'Ada' } });
    expect((await profile()).userData).toEqual({ firstName: 'Hopper' });
    expect(await contact(email)).toMatchObject({ user_id: other, user_data: {} });

    // An unknown or deactivated contact is 404, and the user named in the body is left alone.
    expect(answer(await backend.put(`/email/${unknownId('email')}`, { userID, userData: { firstName: 'Nobody' } }))).toEqual({ status: 404, body: notFound });
    expect((await backend.delete(`/sms/${sms}`)).status).toBe(204);
    expect(answer(await backend.put(`/sms/${sms}`, { userData: { firstName: 'Gone' } }))).toEqual({ status: 404, body: notFound });
    expect((await profile()).userData).toEqual({ firstName: 'Hopper' });
  });

  it('user data refused with Prefer: respond-async: the command is rejected with a 400 naming the field, and nothing is written (POST and PUT)', async () => {
    const userID = `U-async-${randomUUID()}`;
    const kept = await created('email', { email: newEmail(), userID, language: 'en', userData: { firstName: 'Ada' } });
    const profile = async () => (await backend.get(`/user/foruserid/${userID}/profile`)).body.profile as { userData: Record<string, unknown>; channels: { email: unknown[]; sms: unknown[] } };
    const before = await contact(kept);
    const rejection = async (pending: { status: number; body: { commandId?: string } }) => {
      expect(pending.status).toBe(202);
      let command: { status: string; error?: { status: number; fields: { field: string }[] } } | undefined;
      await waitFor(async () => (command = (await backend.get(`/command/${pending.body.commandId}`)).body.command)?.status !== 'pending', { description: 'the outcome' });
      return { status: command?.status, errorStatus: command?.error?.status, fields: command?.error?.fields.map((field) => field.field) };
    };

    for (const [channel, address, body] of [
      ['email', newEmail(), (a: string) => ({ email: a })],
      ['sms', newPhone(), (a: string) => ({ phone: a })],
    ] as const) {
      const response = await backend.post(`/${channel}`, { ...body(address), userID, userData: { firstName: 'Changed', shoeSize: 42 } }, { prefer: 'respond-async' });
      expect({ channel, ...(await rejection(response)) }).toEqual({ channel, status: 'rejected', errorStatus: 400, fields: ['userData.shoeSize'] });
      const id = recipientId(channel, address);
      expect(answer(await backend.put(`/${channel}/${id}`, { language: 'fr' }))).toEqual({ status: 404, body: notFound });
      expect(await contact(id)).toBeUndefined();
      const { rows } = await sql.query('SELECT 1 FROM recipient.recipients WHERE application = $1 AND recipient_id = $2', [app.applicationKey, id]);
      expect(rows).toEqual([]);
    }

    const refused = await backend.put(`/email/${kept}`, { language: 'fr', userData: { shoeSize: 42 } }, { prefer: 'respond-async' });
    expect(await rejection(refused)).toEqual({ status: 'rejected', errorStatus: 400, fields: ['userData.shoeSize'] });
    // A later synchronous write of the contact is answered once everything before it is applied.
    expect((await backend.put(`/email/${kept}/addtags`, { tags: ['after'] })).status).toBe(200);
    expect(await contact(kept)).toEqual({ ...before, tags: ['after'] });
    const after = await profile();
    expect(after.userData).toEqual({ firstName: 'Ada' });
    expect([after.channels.email.length, after.channels.sms.length]).toEqual([1, 0]);
  });

  it('PUT with subscriptionId: the address it has, however spelled, is fine; another address is 400 and changes nothing', async () => {
    const email = newEmail();
    const id = await created('email', { email, language: 'en' });
    const same = await backend.put(`/email/${id}`, { subscriptionId: ` ${email.replace('example.com', 'EXAMPLE.com')} `, language: 'de' });
    expect(answer(same)).toEqual({ status: 200, body: { message: 'email contact updated' } });
    // The local part is case-sensitive: another address.
    const otherCase = await backend.put(`/email/${id}`, { subscriptionId: remember(email.replace('contact-', 'CONTACT-')), language: 'fr' });
    expect({ status: otherCase.status, fields: fieldsOf(otherCase.body) }).toEqual({ status: 400, fields: ['subscriptionId'] });
    const moved = await backend.put(`/email/${id}`, { subscriptionId: newEmail(), language: 'fr' });
    expect(moved.status).toBe(400);
    expect(fieldsOf(moved.body)).toEqual(['subscriptionId']);
    const invalid = await backend.put(`/email/${id}`, { subscriptionId: 'not an address', language: 'fr' });
    expect(fieldsOf(invalid.body)).toEqual(['subscriptionId']);
    expect(await contact(id)).toMatchObject({ address: email, properties: expect.objectContaining({ language: 'de' }) });
  });

  it.each(['email', 'sms'] as const)('%s tags: add, remove, clear', async (channel) => {
    const id = await created(channel, channel === 'email' ? { email: newEmail(), tags: ['signup'] } : { phone: newPhone(), tags: ['signup'] });
    const step = async (path: string, body: unknown, message: string, tags: string[]) => {
      const response = await backend.put(`/${channel}/${id}/${path}`, body);
      expect({ path, ...answer(response) }).toEqual({ path, status: 200, body: { message } });
      expect((await contact(id))?.tags).toEqual(tags);
    };
    await step('addtags', { tags: ['tag1', 'tag2', 'signup'] }, 'tags added', ['signup', 'tag1', 'tag2']);
    await step('removetags', { tags: ['tag1', 'never_had'] }, 'tags removed', ['signup', 'tag2']);
    await step('cleartags', undefined, 'tags cleared', []);

    for (const body of [{ tags: [] }, { tags: ['ok', 't'.repeat(65)] }, { tags: 'tag1' }, {}]) {
      const bad = await backend.put(`/${channel}/${id}/addtags`, body);
      expect({ body, status: bad.status, fields: fieldsOf(bad.body) }).toEqual({ body, status: 400, fields: ['tags'] });
    }
    expect((await contact(id))?.tags).toEqual([]);
  });

  it.each(['email', 'sms'] as const)('%s: DELETE deactivates (204); then every route but POST is 404; POST brings it back (200)', async (channel) => {
    const body = channel === 'email' ? { email: newEmail(), tags: ['kept'] } : { phone: newPhone(), tags: ['kept'] };
    const id = await created(channel, body);
    const deleted = await backend.delete(`/${channel}/${id}`);
    expect({ status: deleted.status, body: deleted.body }).toEqual({ status: 204, body: undefined });
    expect(await contact(id)).toMatchObject({ status: 'inactive', tags: ['kept'] });

    expect(answer(await backend.put(`/${channel}/${id}`, { language: 'fr' }))).toEqual({ status: 404, body: notFound });
    expect(answer(await backend.put(`/${channel}/${id}/addtags`, { tags: ['x'] }))).toEqual({ status: 404, body: notFound });
    expect(await contact(id)).toMatchObject({ status: 'inactive', tags: ['kept'] });
    expect((await backend.get(`/device/${id}`)).status).toBe(404);

    const back = await backend.post(`/${channel}`, body);
    expect(answer(back)).toEqual({ status: 200, body: { message: 'subscription updated', device: { id, deviceID: id } } });
    expect(await contact(id)).toMatchObject({ status: 'active' });
  });

  it('invalid input is 400 naming the field, never quoting it, and changes nothing', async () => {
    const cases: [string, Record<string, unknown>, string[]][] = [
      ['/email', { email: remember('myemail.domain.com'), userID: 'U1' }, ['email']],
      ['/email', { email: remember('John <john@example.com>') }, ['email']],
      ['/email', { userID: 'U1' }, ['email']],
      ['/sms', { phone: remember('0612345678') }, ['phone']],
      ['/sms', { phone: remember('+31 6 CALL ME') }, ['phone']],
      ['/email', { email: newEmail(), region: 'XX' }, ['region']],
      ['/sms', { phone: newPhone(), region: 'Netherlands' }, ['region']],
      ['/email', { email: newEmail(), tags: ['a\u0007'] }, ['tags']],
      ['/email', { email: newEmail(), userData: ['x'] }, ['userData']],
      ['/email', { email: newEmail(), timeZone: 'Mars/Olympus' }, ['timeZone']],
      // Checked by the recipient-service against the application's user data fields.
      ['/email', { email: newEmail(), userData: { shoeSize: 42 } }, ['userData.shoeSize']],
      ['/sms', { phone: newPhone(), userData: { firstName: 7 } }, ['userData.firstName']],
    ];
    for (const [path, body, fields] of cases) {
      const response = await backend.post(path, body);
      expect({ path, body, status: response.status, fields: fieldsOf(response.body) }).toEqual({ path, body, status: 400, fields });
      const address = String(body.email ?? body.phone ?? '');
      if (address) expect(JSON.stringify(response.body)).not.toContain(address);
    }
    const { rows } = await sql.query('SELECT address FROM projection.recipients WHERE application = $1', [app.applicationKey]);
    const stored = rows.map((row: { address: string }) => row.address);
    for (const [, body] of cases) expect(stored).not.toContain(body.email ?? body.phone);

    // An existing contact refused an update keeps what it had.
    const id = await created('email', { email: newEmail(), language: 'en', userData: { firstName: 'Ada' } });
    const before = await contact(id);
    for (const [body, field] of [
      [{ region: 'XX', language: 'fr' }, 'region'],
      [{ userData: { unknownField: 'x' }, language: 'fr' }, 'userData.unknownField'],
      [{ userID: '', language: 'fr' }, 'userID'],
    ] as const) {
      const response = await backend.put(`/email/${id}`, body);
      expect({ body, status: response.status, fields: fieldsOf(response.body) }).toEqual({ body, status: 400, fields: [field] });
    }
    expect(await contact(id)).toEqual(before);
  });

  it('an unknown, malformed or other-channel id is the same 404', async () => {
    const email = await created('email', { email: newEmail() });
    const sms = await created('sms', { phone: newPhone() });
    const ids = [unknownId('email'), 'not-a-recipient-id', `${email}x`, sms];
    for (const id of ids) {
      for (const [method, path, body] of [
        ['PUT', `/email/${id}`, { language: 'fr' }],
        ['DELETE', `/email/${id}`, undefined],
        ['PUT', `/email/${id}/addtags`, { tags: ['x'] }],
        ['PUT', `/email/${id}/removetags`, { tags: ['x'] }],
        ['PUT', `/email/${id}/cleartags`, undefined],
      ] as const) {
        const response = await backend.request(method, path, body);
        expect({ method, path, ...answer(response) }).toEqual({ method, path, status: 404, body: notFound });
      }
    }
    expect(answer(await backend.put(`/sms/${unknownId('sms')}`, {}))).toEqual({ status: 404, body: notFound });
    expect(answer(await backend.put(`/sms/${email}/cleartags`))).toEqual({ status: 404, body: notFound });
    expect(await contact(sms)).toMatchObject({ status: 'active' });
    expect(await contact(email)).toMatchObject({ status: 'active' });
  });

  it('Prefer: respond-async answers 202 at once with the recipient id and a command to poll', async () => {
    const email = newEmail();
    const id = recipientId('email', email);
    const accepted = await backend.post('/email', { email }, { prefer: 'respond-async' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ message: 'subscription is being processed', status: 'pending', commandId: expect.any(String), device: { id, deviceID: id } });
    expect(accepted.headers.get('location')).toBe(`/command/${accepted.body.commandId}`);
    await waitFor(async () => (await backend.get(`/command/${accepted.body.commandId}`)).body.command?.status === 'completed', { description: 'the register to complete' });
    expect(await contact(id)).toMatchObject({ status: 'active' });

    const updated = await backend.put(`/email/${id}`, { language: 'fr' }, { prefer: 'respond-async' });
    expect(answer(updated)).toEqual({ status: 202, body: { message: 'email contact updated, pending validation', commandId: expect.any(String), status: 'pending' } });
    expect(updated.headers.get('location')).toBe(`/command/${updated.body.commandId}`);
    await waitFor(async () => (await contact(id))?.properties.language === 'fr', { description: 'the update to be applied' });

    const tagged = await backend.put(`/email/${id}/addtags`, { tags: ['later'] }, { prefer: 'respond-async' });
    expect(tagged.status).toBe(202);
    expect(tagged.body).toMatchObject({ status: 'pending' });
    await waitFor(async () => (await contact(id))?.tags.includes('later'), { description: 'the tag to be added' });
  });

  it('one address posted concurrently in several spellings is one contact: exactly one 201, the others 200, one id in the profile', async () => {
    const userID = `U-race-${randomUUID()}`;
    // The domain's case and surrounding spaces do not make another address (the local part's case would).
    const local = `ada.${randomUUID()}`;
    const email = remember(`${local}@example.com`);
    const emails = [` ${local}@Example.COM `, email, `${local}@EXAMPLE.com\n`, `\t${local}@example.Com`];
    // One Dutch mobile number: national with its region, E.164, 00-international, spaced international.
    const phone = newPhone();
    const phones = [
      { phone: remember(`0${phone.slice(3, 4)} ${phone.slice(4)}`), region: 'NL' },
      { phone },
      { phone: remember(`00${phone.slice(1)}`) },
      { phone: remember(`+31 ${phone.slice(3, 4)} ${phone.slice(4, 8)} ${phone.slice(8)}`) },
    ];
    const posts: [string, Record<string, unknown>][] = [
      ...emails.map((spelling): [string, Record<string, unknown>] => ['/email', { email: spelling, userID }]),
      ...phones.map((body): [string, Record<string, unknown>] => ['/sms', { ...body, userID }]),
    ];
    const responses = await Promise.all(posts.map(([path, body]) => backend.post(path, body)));

    for (const [channel, address] of [
      ['email', email],
      ['sms', phone],
    ] as const) {
      const id = recipientId(channel, address);
      const answers = responses.filter((_, index) => posts[index][0] === `/${channel}`);
      expect({ channel, statuses: answers.map((response) => response.status).sort() }).toEqual({ channel, statuses: [200, 200, 200, 201] });
      expect(new Set(answers.map((response) => response.body.device.deviceID))).toEqual(new Set([id]));
      const { rows } = await sql.query('SELECT count(*)::int AS n FROM recipient.recipients WHERE application = $1 AND channel = $2 AND address = $3', [app.applicationKey, channel, address]);
      expect(rows[0].n).toBe(1);
    }
    const profile = (await backend.get(`/user/foruserid/${userID}/profile`)).body.profile as { channels: Record<'email' | 'sms', { deviceID: string }[]> };
    expect(profile.channels.email.map((channel) => channel.deviceID)).toEqual([recipientId('email', email)]);
    expect(profile.channels.sms.map((channel) => channel.deviceID)).toEqual([recipientId('sms', phone)]);
  });

  it('a retry with the same Idempotency-Key gets the first answer (201), not a second one', async () => {
    const key = `k-${randomUUID()}`;
    const phone = newPhone();
    const one = await backend.post('/sms', { phone }, { 'idempotency-key': key });
    const retry = await backend.post('/sms', { phone }, { 'idempotency-key': key });
    expect(one.status).toBe(201);
    expect(answer(retry)).toEqual(answer(one));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('the sdk credential is refused (403): these are backend calls', async () => {
    const sdk = new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.applicationSecret);
    const response = await sdk.post('/email', { email: newEmail() });
    expect(response.status).toBe(403);
  });

  it('verify: a contact is pending until confirmed with its single-use token; a wrong token is refused', async () => {
    const events = await new TopicRecorder(kafka, Topics.recipientEvents).start();
    try {
      const email = newEmail();
      const created = await backend.post('/email', { email, userID: 'U-verify', verify: true });
      expect(created.status).toBe(201);
      const id = created.body.device.deviceID as string;
      expect(await contact(id)).toMatchObject({ status: 'inactive', verification: 'pending' });

      const sealed = await waitFor(() =>
        events.values<{ type: string; aggregateId: string; payload: { token: string } }>().find((e) => e.type === 'recipient.verification-requested' && e.aggregateId === id),
      );
      // The address and the token travel sealed with the user's key: the sender of the message opens them.
      expect(JSON.stringify(sealed)).not.toContain(email);
      const requested = (await new EventOpener().open({ query: async (text, values) => (await sql.query(text, values)).rows }, sealed)) as typeof sealed;
      expect(requested.payload).toMatchObject({ address: email });
      const wrong = await backend.put(`/email/${id}/confirm`, { token: 'not-the-token' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.code).toBe('INVALID_TOKEN');
      expect(await contact(id)).toMatchObject({ status: 'inactive', verification: 'pending' });

      const confirmed = await backend.put(`/email/${id}/confirm`, { token: requested.payload.token });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toEqual({ message: 'email contact verified' });
      expect(await contact(id)).toMatchObject({ status: 'active', verification: 'verified' });
      const again = await backend.put(`/email/${id}/confirm`, { token: requested.payload.token });
      expect(again.status).toBe(400);
      // The read model never holds the token.
      expect(JSON.stringify(await contact(id))).not.toContain(requested.payload.token);
    } finally {
      await events.stop();
    }
  });

  it('verify an SMS number: pending until confirmed with its token; a wrong token is refused', async () => {
    const events = await new TopicRecorder(kafka, Topics.recipientEvents).start();
    try {
      const phone = newPhone();
      const national = remember(`0${phone.slice(3, 4)} ${phone.slice(4)}`);
      const userID = `U-verify-sms-${randomUUID()}`;
      const registered = await backend.post('/sms', { phone: national, region: 'NL', userID, verify: true });
      expect(registered.status).toBe(201);
      const id = registered.body.device.deviceID as string;
      expect(id).toBe(recipientId('sms', phone));
      expect(await contact(id)).toMatchObject({ channel: 'sms', address: phone, status: 'inactive', verification: 'pending' });
      // Pending is not an active channel: the SMS number is not listed.
      const listed = async () => ((await backend.get(`/device/foruser/${userID}?medium=sms`)).body.devices ?? []).map((device: { deviceID: string }) => device.deviceID);
      expect(await listed()).toEqual([]);

      const sealed = await waitFor(() =>
        events.values<{ type: string; aggregateId: string; payload: { token: string } }>().find((e) => e.type === 'recipient.verification-requested' && e.aggregateId === id),
      );
      expect(JSON.stringify(sealed)).not.toContain(phone);
      const requested = (await new EventOpener().open({ query: async (text, values) => (await sql.query(text, values)).rows }, sealed)) as typeof sealed;
      expect(requested.payload).toMatchObject({ channel: 'sms', address: phone });

      const wrong = await backend.put(`/sms/${id}/confirm`, { token: 'not-the-token' });
      expect({ status: wrong.status, code: wrong.body.code }).toEqual({ status: 400, code: 'INVALID_TOKEN' });
      expect(await contact(id)).toMatchObject({ status: 'inactive', verification: 'pending' });

      const confirmed = await backend.put(`/sms/${id}/confirm`, { token: requested.payload.token });
      expect(answer(confirmed)).toEqual({ status: 200, body: { message: 'sms number verified' } });
      expect(await contact(id)).toMatchObject({ status: 'active', verification: 'verified' });
      expect(await listed()).toEqual([id]);
      const again = await backend.put(`/sms/${id}/confirm`, { token: requested.payload.token });
      expect({ status: again.status, code: again.body.code }).toEqual({ status: 400, code: 'INVALID_TOKEN' });
      expect(JSON.stringify(await contact(id))).not.toContain(requested.payload.token);
    } finally {
      await events.stop();
    }
  });

  it('no app printed an address (they are personal data)', () => {
    expect(addresses.size).toBeGreaterThan(10);
    for (const name of ['gateway', ...SERVICE_APPS] as const) {
      const output = stack.output(name).join('\n');
      expect(output.length).toBeGreaterThan(0);
      for (const address of addresses) expect({ name, leaked: output.includes(address) }).toEqual({ name, leaked: false });
    }
  });
});
