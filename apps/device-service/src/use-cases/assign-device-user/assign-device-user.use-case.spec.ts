import { ApplicationSettings, ASSIGN_DEVICE_USER, AssignDeviceUserPayload, DEVICE_USER_ASSIGNED } from '@omni/contracts';
import { Device } from '../../domain/device';
import { API_MODE, APP, STORED_DEVICE_STATE, armed, deviceCommand, storedDevice, strictDevices, strictSettings } from '../strict-fakes';
import { AssignDeviceUserUseCase } from './assign-device-user.use-case';

async function run(devices: Device[], payload: AssignDeviceUserPayload, settings?: ApplicationSettings) {
  const { repository, calls } = strictDevices(...devices);
  const settingsPort = strictSettings(settings);
  const command = deviceCommand(ASSIGN_DEVICE_USER, payload);
  const decision = await armed((manager) => new AssignDeviceUserUseCase(repository, settingsPort.store).execute(manager, command));
  return { command, decision, calls, settingsCalls: settingsPort.calls, methods: calls.map((call) => call.method) };
}

describe('AssignDeviceUserUseCase', () => {
  it('an anonymous device is assigned: one device.user-assigned with previousUserID null, saved', async () => {
    const { command, decision, calls, settingsCalls } = await run([storedDevice()], { userID: 'U1', userName: 'Ada', credential: 'sdk' });

    expect(decision).toMatchObject({ kind: 'accepted', aggregateType: 'device', version: 4 });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events).toHaveLength(1);
    expect(decision.events[0]).toMatchObject({
      type: DEVICE_USER_ASSIGNED,
      aggregateVersion: 4,
      causationId: command.id,
      payload: { userID: 'U1', userName: 'Ada', previousUserID: null, state: STORED_DEVICE_STATE },
    });
    expect(calls.map((call) => call.method)).toEqual(['findForUpdate', 'mayAttach', 'save']);
    expect(settingsCalls).toEqual([{ application: APP }]);
  });

  it('a device of user A assigned to user B moves: previousUserID A; an absent userName is null', async () => {
    const { decision } = await run([storedDevice({ userId: 'A', userName: 'Ada' })], { userID: 'B' });

    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events.map((event) => event.payload)).toEqual([{ userID: 'B', userName: null, previousUserID: 'A', state: STORED_DEVICE_STATE }]);
    // Sealed for the user it moved to.
    expect(decision.events[0].subject).toBe('B');
  });

  it('the same user and name again: accepted, no events, not saved', async () => {
    const { decision, methods } = await run([storedDevice({ userId: 'A', userName: 'Ada' })], { userID: 'A', userName: 'Ada' });

    expect(decision).toEqual({ kind: 'accepted', aggregateType: 'device', version: 3, events: [] });
    expect(methods).toEqual(['findForUpdate']);
  });

  it('an unknown or inactive device is refused with 404 DEVICE_NOT_FOUND', async () => {
    for (const devices of [[], [storedDevice({ status: 'inactive' })]]) {
      const { decision, methods, settingsCalls } = await run(devices, { userID: 'U1', credential: 'master' });
      expect(decision).toMatchObject({ kind: 'rejected', status: 404, code: 'DEVICE_NOT_FOUND' });
      expect(methods).toEqual(['findForUpdate']);
      expect(settingsCalls).toEqual([]);
    }
  });

  describe('when user registration is restricted to the API', () => {
    it('an SDK call (or one that does not say who sent it) is refused with 403 and nothing is saved', async () => {
      for (const credential of ['sdk', undefined] as const) {
        const device = storedDevice();
        const { decision, methods } = await run([device], { userID: 'U1', credential }, API_MODE);
        expect(decision).toMatchObject({
          kind: 'rejected',
          status: 403,
          code: 'USER_REGISTRATION_RESTRICTED',
          message: 'user registration is restricted to the API',
        });
        expect(methods).toEqual(['findForUpdate']);
        expect(device.snapshot.userId).toBeNull();
      }
    });

    it('a master-secret call assigns the user, without reading the settings (it is never restricted)', async () => {
      const { decision, settingsCalls } = await run([storedDevice()], { userID: 'U1', credential: 'master' }, API_MODE);
      expect(decision).toMatchObject({ kind: 'accepted', version: 4 });
      expect(settingsCalls).toEqual([]);
    });
  });

  describe('the limit of active devices per user', () => {
    const ofUser = (count: number, userId = 'U1') =>
      Array.from({ length: count }, (_, index) => storedDevice({ deviceId: `device-u${index}`, userId }));
    const limited: ApplicationSettings = { userRegistration: 'sdk', userDataFields: [], channelLimits: { devicesPerUser: 3 } };

    it('a device that would be one more than the limit is refused with 409 CHANNEL_LIMIT_REACHED, and nothing is saved', async () => {
      const { decision, methods } = await run([storedDevice(), ...ofUser(3)], { userID: 'U1', credential: 'master' }, limited);

      expect(decision).toMatchObject({ kind: 'rejected', status: 409, code: 'CHANNEL_LIMIT_REACHED' });
      expect(decision.kind === 'rejected' && decision.message).toContain('3 active push devices');
      expect(methods).toEqual(['findForUpdate', 'mayAttach']);
    });

    it('below the limit, or counting only active devices, or with the default of 20, it is attached', async () => {
      expect((await run([storedDevice(), ...ofUser(2)], { userID: 'U1', credential: 'master' }, limited)).decision.kind).toBe('accepted');
      const inactive = ofUser(3).map((device) => Device.restore({ ...device.snapshot, status: 'inactive' }));
      expect((await run([storedDevice(), ...inactive], { userID: 'U1', credential: 'master' }, limited)).decision.kind).toBe('accepted');
      expect((await run([storedDevice(), ...ofUser(19)], { userID: 'U1', credential: 'master' })).decision.kind).toBe('accepted');
      expect((await run([storedDevice(), ...ofUser(20)], { userID: 'U1', credential: 'master' })).decision).toMatchObject({ status: 409 });
    });

    it('a device already the user\'s (a new name) is not counted again, even at the limit', async () => {
      const { decision, methods } = await run([storedDevice({ userId: 'U1' }), ...ofUser(3)], { userID: 'U1', userName: 'Ada', credential: 'master' }, limited);

      expect(decision.kind).toBe('accepted');
      expect(methods).toEqual(['findForUpdate', 'save']);
    });
  });
});
