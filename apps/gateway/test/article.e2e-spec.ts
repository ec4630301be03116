import {
  ApiClient,
  ApplicationCredentials,
  TestDatabase,
  TestKafka,
  TestStack,
  createApplication,
  testDatabase,
  testKafka,
} from '@omni/testing';

/**
 * The worked example of the product, step by step, with the article's exact paths and bodies
 * ("Omnichannel User Profiles", shared/reference/omnichannel-user-profiles.txt), checking the
 * unified profile after each step.
 */
describe('the omnichannel user profile article, step by step', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let app: ApplicationCredentials;
  let backend: ApiClient;
  let sdk: ApiClient;
  const deviceID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';

  const profile = async () => {
    const answer = await backend.get('/user/foruserid/U123456789/profile');
    expect(answer.status).toBe(200);
    return answer.body.profile;
  };

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    stack = await new TestStack({ databaseUrl: db.url, brokers: kafka.brokers, topicPrefix: kafka.prefix }).start();
    app = await createApplication(stack.gatewayUrl, stack.adminSecret, 'Article');
    backend = new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.masterSecret);
    sdk = new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.applicationSecret);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await db?.drop();
  });

  it('1. the app only allows user registrations at the API level', async () => {
    const settings = await backend.put('/application/settings', { userRegistration: 'api' });
    expect(settings.status).toBe(200);
    expect(settings.body.settings.userRegistration).toBe('api');
  });

  it('2. the mobile app registers its device through the SDK, anonymously', async () => {
    const registered = await sdk.post('/device', { deviceID, platform: 'iOS', transport: 'APNS', osVersion: '17.4', language: 'en', region: 'NL' });
    expect([200, 201]).toContain(registered.status);
    const device = await backend.get(`/device/${deviceID}`);
    expect(device.status).toBe(200);
    expect(device.body.device).toMatchObject({ deviceID, platform: 'iOS', transport: 'APNS' });
    expect(device.body.device.userID ?? null).toBeNull();
    // The SDK can no longer attach its device to a user.
    const attempt = await sdk.put(`/device/${deviceID}/user`, { userID: 'U123456789', userName: 'John Doe' });
    expect(attempt.status).toBe(403);
  });

  it('3. the backend assigns the device to the user at sign-up or login', async () => {
    const assigned = await backend.put(`/device/${deviceID}/user`, { userID: 'U123456789', userName: 'John Doe' });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toEqual({ message: 'device updated' });
    const now = await profile();
    expect(now).toMatchObject({ userID: 'U123456789', userName: 'John Doe', active: true });
    expect(now.channels.push.map((d: { deviceID: string }) => d.deviceID)).toEqual([deviceID]);
  });

  it('4. the backend removes the device from the user at logout; the device stays registered, anonymous', async () => {
    // As the article sends it: a JSON content type and no body.
    const removed = await backend.delete(`/device/${deviceID}/user`, { 'content-type': 'application/json' });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ message: 'device updated' });
    expect((await profile()).channels.push).toEqual([]);
    const device = await backend.get(`/device/${deviceID}`);
    expect(device.status).toBe(200);
    expect(device.body.device.userID ?? null).toBeNull();
    // Logging in again attaches it again.
    expect((await backend.put(`/device/${deviceID}/user`, { userID: 'U123456789', userName: 'John Doe' })).status).toBe(200);
    expect((await profile()).channels.push).toHaveLength(1);
  });

  it('5a. the backend adds the email address and the phone number: three channels under one userID', async () => {
    const email = await backend.post('/email', { email: 'myemail@domain.com', userID: 'U123456789', userName: 'John Doe', language: 'en', region: 'NL' });
    expect(email.status).toBe(201);
    const sms = await backend.post('/sms', { phone: '+31123456789', userID: 'U123456789', userName: 'John Doe', language: 'en', region: 'NL' });
    expect(sms.status).toBe(201);

    const now = await profile();
    expect(now.channels.push.map((d: { deviceID: string }) => d.deviceID)).toEqual([deviceID]);
    expect(now.channels.email).toEqual([expect.objectContaining({ email: 'myemail@domain.com', active: true })]);
    expect(now.channels.sms).toEqual([expect.objectContaining({ phone: '+31123456789', active: true })]);

    const all = await backend.get('/device/foruser/U123456789?medium=all');
    expect(all.status).toBe(200);
    expect(all.body.devices.map((d: { medium: string; transport: string }) => [d.medium, d.transport]).sort()).toEqual([
      ['email', 'Email'],
      ['push', 'APNS'],
      ['sms', 'SMS'],
    ]);
    expect((await backend.get('/device/foruser/U123456789?medium=email')).body.devices).toEqual([
      expect.objectContaining({ email: 'myemail@domain.com', userID: 'U123456789' }),
    ]);
  });

  it('5b. user data fields are defined, then set through the device: the data is the user\'s', async () => {
    for (const field of [
      { key: 'firstName', label: 'Given Name', type: 'text' },
      { key: 'lastName', label: 'Family Name', type: 'text' },
      { key: 'birthdate', label: 'Birthdate', type: 'date' },
      { key: 'gender', label: 'Gender', type: 'enum', values: ['Male', 'Female', 'Other'] },
    ]) {
      expect((await backend.post('/application/userdatafields', field)).status).toBe(201);
    }
    const override = await backend.put(`/device/${deviceID}/userdata/override`, {
      firstName: 'John',
      lastName: 'Doe',
      birthdate: '1997-03-10',
      gender: 'Male',
    });
    expect(override.status).toBe(200);
    const now = await profile();
    expect(now.userData).toEqual({ firstName: 'John', lastName: 'Doe', birthdate: '1997-03-10', gender: 'Male' });
    // Every step changed the profile: its version grew with each.
    expect(now.version).toBeGreaterThanOrEqual(5);
    expect((await backend.get(`/device/${deviceID}/userdata`)).body).toMatchObject({ userData: now.userData });
  });
});
