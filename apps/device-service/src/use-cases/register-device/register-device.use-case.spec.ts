import { DEVICE_REGISTERED, DEVICE_REPLACED, DEVICE_UPDATED, DEVICE_USER_REMOVED, REGISTER_DEVICE, RegisterDevicePayload } from '@omni/contracts';
import { Device } from '../../domain/device';
import { API_MODE, APP, STORED_DEVICE_STATE, armed, deviceCommand, em, storedDevice, strictDevices, strictSettings } from '../strict-fakes';
import { RegisterDeviceUseCase } from './register-device.use-case';

function register(payload: Partial<RegisterDevicePayload> = {}, deviceId = 'device-1') {
  return deviceCommand(REGISTER_DEVICE, { platform: 'iOS', transport: 'APNS', language: 'en', timeZoneOffset: 1, ...payload }, deviceId);
}

async function run(devices: Device[], command: ReturnType<typeof register>, settings = strictSettings()) {
  const { repository, calls } = strictDevices(...devices);
  const decision = await armed((manager) => new RegisterDeviceUseCase(repository, settings.store).execute(manager, command));
  const method = (call: (typeof calls)[number]) =>
    call.method === 'save' ? `save ${call.device.snapshot.deviceId}` : call.method === 'findForUpdate' ? `find ${call.deviceId}` : call.method;
  return { decision, calls, methods: calls.map(method) };
}

describe('RegisterDeviceUseCase', () => {
  it('a new deviceID is registered: accepted, created, version 1, one device.registered, saved once', async () => {
    const command = register({ userID: 'U1', userName: 'Ada', osVersion: '17.1' });

    const { decision, calls, methods } = await run([], command);

    expect(decision).toMatchObject({ kind: 'accepted', aggregateType: 'device', version: 1, created: true });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events).toHaveLength(1);
    expect(decision.events[0]).toMatchObject({
      type: DEVICE_REGISTERED,
      application: APP,
      aggregateId: 'device-1',
      aggregateVersion: 1,
      correlationId: command.correlationId,
      causationId: command.id,
      payload: {
        platform: 'iOS',
        transport: 'APNS',
        properties: { language: 'en', timeZoneOffset: 1, osVersion: '17.1' },
        userID: 'U1',
        userName: 'Ada',
        tags: [],
        userData: {},
        oldDeviceID: null,
      },
    });
    expect(methods).toEqual(['find device-1', 'mayAttach', 'save device-1']);
    expect(calls[0]).toEqual({ method: 'findForUpdate', em, application: APP, deviceId: 'device-1' });
    expect(calls[2]).toMatchObject({ em, saved: { status: 'active', userId: 'U1', version: 1 } });
  });

  it('a known device sent the same registration: accepted, not created, no events, not saved', async () => {
    const { decision, methods } = await run([storedDevice()], register());

    expect(decision).toEqual({ kind: 'accepted', aggregateType: 'device', version: 3, events: [], created: false });
    expect(methods).toEqual(['find device-1']);
  });

  it('a known device sent new properties records device.updated with what changed and is saved', async () => {
    const { decision, methods } = await run([storedDevice()], register({ language: 'nl', appVersion: '2.1' }));

    expect(decision).toMatchObject({ kind: 'accepted', version: 4, created: false });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events.map((event) => [event.type, event.payload])).toEqual([[DEVICE_UPDATED, { properties: { language: 'nl', appVersion: '2.1' } }]]);
    expect(methods).toEqual(['find device-1', 'save device-1']);
  });

  it('a deactivated device registering again is reactivated with one device.registered (not created)', async () => {
    const { decision } = await run([storedDevice({ status: 'inactive', userId: 'U1', userName: 'Ada' })], register());

    expect(decision).toMatchObject({ kind: 'accepted', version: 4, created: false });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events.map((event) => event.type)).toEqual([DEVICE_REGISTERED]);
    expect(decision.events[0].payload).toMatchObject({ userID: 'U1' });
  });

  it('a null userID makes the device anonymous (SDK registration allowed)', async () => {
    const { decision } = await run([storedDevice({ userId: 'U1', userName: 'Ada' })], register({ userID: null }));

    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events.map((event) => [event.type, event.payload])).toEqual([[DEVICE_USER_REMOVED, { previousUserID: 'U1', state: STORED_DEVICE_STATE }]]);
  });

  it('a deviceID longer than 512 characters is refused with 400 before anything is read', async () => {
    const { decision, calls } = await run([], register({}, 'x'.repeat(513)));

    expect(decision).toMatchObject({ kind: 'rejected', status: 400, code: 'VALIDATION_FAILED', fields: [{ field: 'deviceID' }] });
    expect(calls).toEqual([]);
  });

  describe('when user registration is restricted to the API', () => {
    it('an SDK registration naming a user is refused with 403 and nothing is saved', async () => {
      const settings = strictSettings(API_MODE);
      const { decision, methods } = await run([], register({ userID: 'U1', credential: 'sdk' }), settings);

      expect(decision).toEqual({
        kind: 'rejected',
        aggregateType: 'device',
        status: 403,
        code: 'USER_REGISTRATION_RESTRICTED',
        message: 'user registration is restricted to the API',
        fields: undefined,
      });
      expect(methods).toEqual(['find device-1']);
      expect(settings.calls).toEqual([{ application: APP }]);
    });

    it('a registration that does not say who sent it counts as SDK', async () => {
      const { decision } = await run([storedDevice({ userId: 'U1' })], register({ userID: 'U2' }), strictSettings(API_MODE));
      expect(decision).toMatchObject({ kind: 'rejected', status: 403 });
    });

    it('the SDK may still register: the userID the device already has is ignored', async () => {
      const device = storedDevice({ userId: 'U1', userName: 'Ada' });

      const same = await run([device], register({ userID: 'U1', userName: 'Other', credential: 'sdk' }), strictSettings(API_MODE));

      expect(same.decision).toMatchObject({ kind: 'accepted', events: [] });
      expect(device.snapshot).toMatchObject({ userId: 'U1', userName: 'Ada' });
    });

    it('an SDK null userID on a device that belongs to a user (a detach) is refused with 403 and nothing is saved', async () => {
      const device = storedDevice({ userId: 'U1', userName: 'Ada' });

      const { decision, methods } = await run([device], register({ userID: null, credential: 'sdk' }), strictSettings(API_MODE));

      expect(decision).toMatchObject({ kind: 'rejected', status: 403, code: 'USER_REGISTRATION_RESTRICTED', message: 'user registration is restricted to the API' });
      expect(methods).toEqual(['find device-1']);
      expect(device.snapshot).toMatchObject({ userId: 'U1', userName: 'Ada' });
    });

    it('an SDK null userID detaching the user an oldDeviceID would carry over is refused too', async () => {
      const old = storedDevice({ deviceId: 'device-0', userId: 'U1', userName: 'Ada' });

      const { decision, methods } = await run([old], register({ oldDeviceID: 'device-0', userID: null, credential: 'sdk' }), strictSettings(API_MODE));

      expect(decision).toMatchObject({ kind: 'rejected', status: 403, code: 'USER_REGISTRATION_RESTRICTED' });
      expect(methods).toEqual(['find device-0', 'find device-1']);
    });

    it('an SDK null userID on an anonymous or new device changes nothing and is accepted', async () => {
      const anonymous = await run([storedDevice()], register({ userID: null, credential: 'sdk' }), strictSettings(API_MODE));
      const created = await run([], register({ userID: null, credential: 'sdk' }), strictSettings(API_MODE));

      expect(anonymous.decision).toMatchObject({ kind: 'accepted', events: [], created: false });
      expect(created.decision).toMatchObject({ kind: 'accepted', created: true });
    });

    it('a master-secret registration may name a user, without reading the settings', async () => {
      const settings = strictSettings(API_MODE);
      const { decision } = await run([], register({ userID: 'U1', credential: 'master' }), settings);
      expect(decision).toMatchObject({ kind: 'accepted', created: true });
      expect(settings.calls).toEqual([]);
    });

    it('a registration that does not say whose the device is registers without reading the settings', async () => {
      const settings = strictSettings(API_MODE);
      const { decision } = await run([storedDevice({ userId: 'U1' })], register({ credential: 'sdk', language: 'de' }), settings);
      expect(decision).toMatchObject({ kind: 'accepted', created: false, version: 4 });
      expect(settings.calls).toEqual([]);
    });
  });

  describe('with an oldDeviceID', () => {
    const oldDevice = () =>
      storedDevice({ deviceId: 'device-0', userId: 'U1', userName: 'Ada', tags: ['a'], userData: { firstName: 'Ada' }, version: 7 });

    it('a new deviceID takes over the old device user, tags and data; the old one is replaced; both saved in one decision', async () => {
      const old = oldDevice();
      const command = register({ oldDeviceID: 'device-0' });

      const { decision, methods } = await run([old], command);

      expect(decision).toMatchObject({ kind: 'accepted', version: 1, created: true });
      if (decision.kind !== 'accepted') throw new Error('not accepted');
      expect(decision.events.map((event) => [event.type, event.aggregateId, event.aggregateVersion])).toEqual([
        [DEVICE_REPLACED, 'device-0', 8],
        [DEVICE_REGISTERED, 'device-1', 1],
      ]);
      expect(decision.events[0]).toMatchObject({ causationId: command.id, payload: { replacedBy: 'device-1', previousUserID: 'U1' } });
      expect(decision.events[1].payload).toMatchObject({ userID: 'U1', userName: 'Ada', tags: ['a'], userData: { firstName: 'Ada' }, oldDeviceID: 'device-0' });
      // Rows are locked in deviceID order, so two moves between the same devices never deadlock.
      expect(methods).toEqual(['find device-0', 'find device-1', 'mayAttach', 'save device-0', 'save device-1']);
      expect(old.snapshot).toMatchObject({ status: 'inactive', replacedBy: 'device-1', userId: null, tags: [], userData: {} });
    });

    it('the move is visible only once the old device is replaced in the read model too: its outcome names it at its version', async () => {
      const { decision } = await run([oldDevice()], register({ oldDeviceID: 'device-0' }));

      expect(decision).toMatchObject({ kind: 'accepted', otherAggregates: [{ aggregateType: 'device', aggregateId: 'device-0', version: 8 }] });
      const unknown = await run([], register({ oldDeviceID: 'device-0' }));
      expect(unknown.decision).not.toHaveProperty('otherAggregates');
    });

    it('into a known deviceID the move merges: its own user and data and the explicit fields win, tags are united', async () => {
      const existing = storedDevice({ deviceId: 'device-9', userId: 'U2', userName: 'Bob', tags: ['b'], userData: { lastName: 'B' } });

      const { decision, methods } = await run([oldDevice(), existing], register({ oldDeviceID: 'device-0', language: 'de' }, 'device-9'));

      expect(decision).toMatchObject({ kind: 'accepted', created: false, version: 6 });
      expect(methods).toEqual(['find device-0', 'find device-9', 'save device-0', 'save device-9']);
      expect(existing.snapshot).toMatchObject({
        userId: 'U2',
        tags: ['b', 'a'],
        userData: { firstName: 'Ada', lastName: 'B' },
        properties: { language: 'de', timeZoneOffset: 1 },
      });
    });

    it('the SDK may carry the old device user over even when user registration is restricted to the API', async () => {
      const { decision } = await run([oldDevice()], register({ oldDeviceID: 'device-0', credential: 'sdk' }), strictSettings(API_MODE));

      if (decision.kind !== 'accepted') throw new Error('not accepted');
      expect(decision.events[1].payload).toMatchObject({ userID: 'U1' });
    });

    it('an unknown or already replaced oldDeviceID moves nothing and is not saved', async () => {
      const unknown = await run([], register({ oldDeviceID: 'device-0' }));
      const replaced = await run([storedDevice({ deviceId: 'device-0', status: 'inactive', replacedBy: 'device-5' })], register({ oldDeviceID: 'device-0' }));

      for (const { decision, methods } of [unknown, replaced]) {
        if (decision.kind !== 'accepted') throw new Error('not accepted');
        expect(decision.events.map((event) => event.type)).toEqual([DEVICE_REGISTERED]);
        expect(decision.events[0].payload).toMatchObject({ oldDeviceID: null, userID: null });
        expect(methods).toEqual(['find device-0', 'find device-1', 'save device-1']);
      }
    });

    it('an oldDeviceID equal to the deviceID is ignored', async () => {
      const { methods } = await run([storedDevice()], register({ oldDeviceID: 'device-1' }));
      expect(methods).toEqual(['find device-1']);
    });
  });

  it('looks devices up in the command application, so tenants never see each other', async () => {
    const { repository, calls } = strictDevices(storedDevice());
    const command = { ...register({ oldDeviceID: 'device-0' }), application: 'app-key-2' };

    const decision = await armed((manager) => new RegisterDeviceUseCase(repository, strictSettings().store).execute(manager, command));

    expect(decision).toMatchObject({ kind: 'accepted', created: true });
    expect(calls.filter((call) => call.method === 'findForUpdate').map((call) => call.application)).toEqual(['app-key-2', 'app-key-2']);
  });

  describe('the limit of active devices per user', () => {
    const limited = strictSettings({ userRegistration: 'sdk', userDataFields: [], channelLimits: { devicesPerUser: 2 } });
    const ofUser = (count: number) => Array.from({ length: count }, (_, index) => storedDevice({ deviceId: `device-u${index}`, userId: 'U1' }));

    it('a new device registered for a user at the limit is refused with 409, and nothing is saved', async () => {
      const { decision, methods } = await run(ofUser(2), register({ userID: 'U1', credential: 'master' }), limited);

      expect(decision).toMatchObject({ kind: 'rejected', status: 409, code: 'CHANNEL_LIMIT_REACHED' });
      expect(methods).toEqual(['find device-1', 'mayAttach']);
    });

    it('a deactivated device of the user coming back counts as one more', async () => {
      const inactive = storedDevice({ userId: 'U1', status: 'inactive' });
      const { decision } = await run([inactive, ...ofUser(2)], register({ credential: 'master' }), limited);

      expect(decision).toMatchObject({ kind: 'rejected', status: 409, code: 'CHANNEL_LIMIT_REACHED' });
    });

    it('a replacement (oldDeviceID) takes its old device\'s place: the count does not grow', async () => {
      const old = storedDevice({ deviceId: 'device-0', userId: 'U1' });
      const { decision, calls } = await run([old, ...ofUser(1)], register({ oldDeviceID: 'device-0', credential: 'master' }), limited);

      expect(decision).toMatchObject({ kind: 'accepted', created: true });
      expect(calls.find((call) => call.method === 'mayAttach')).toMatchObject({ userId: 'U1', except: ['device-1', 'device-0'] });
    });
  });
});
