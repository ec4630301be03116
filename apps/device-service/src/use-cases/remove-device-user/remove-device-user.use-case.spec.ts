import { ApplicationSettings, DEVICE_USER_REMOVED, REMOVE_DEVICE_USER, RemoveDeviceUserPayload } from '@omni/contracts';
import { Device } from '../../domain/device';
import { API_MODE, STORED_DEVICE_STATE, armed, deviceCommand, storedDevice, strictDevices, strictSettings } from '../strict-fakes';
import { RemoveDeviceUserUseCase } from './remove-device-user.use-case';

async function run(devices: Device[], payload: RemoveDeviceUserPayload, settings?: ApplicationSettings) {
  const { repository, calls } = strictDevices(...devices);
  const command = deviceCommand(REMOVE_DEVICE_USER, payload);
  const settingsPort = strictSettings(settings);
  const decision = await armed((manager) => new RemoveDeviceUserUseCase(repository, settingsPort.store).execute(manager, command));
  return { decision, calls, settingsCalls: settingsPort.calls, methods: calls.map((call) => call.method) };
}

describe('RemoveDeviceUserUseCase', () => {
  it('a device with a user becomes anonymous: one device.user-removed naming the previous user, saved', async () => {
    const { decision, calls, methods } = await run([storedDevice({ userId: 'U1', userName: 'Ada' })], { credential: 'sdk' });

    expect(decision).toMatchObject({ kind: 'accepted', aggregateType: 'device', version: 4 });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events.map((event) => [event.type, event.payload])).toEqual([[DEVICE_USER_REMOVED, { previousUserID: 'U1', state: STORED_DEVICE_STATE }]]);
    expect(methods).toEqual(['findForUpdate', 'save']);
    expect(calls[1]).toMatchObject({ saved: { userId: null, userName: null } });
  });

  it('an anonymous device: accepted, no events, not saved', async () => {
    const { decision, methods } = await run([storedDevice()], {});

    expect(decision).toEqual({ kind: 'accepted', aggregateType: 'device', version: 3, events: [] });
    expect(methods).toEqual(['findForUpdate']);
  });

  it('an unknown or inactive device is refused with 404 DEVICE_NOT_FOUND', async () => {
    for (const devices of [[], [storedDevice({ status: 'inactive', userId: 'U1' })]]) {
      const { decision } = await run(devices, { credential: 'master' });
      expect(decision).toMatchObject({ kind: 'rejected', status: 404, code: 'DEVICE_NOT_FOUND' });
    }
  });

  it('restricted to the API: an SDK call is refused with 403, a master-secret call removes the user', async () => {
    const sdk = await run([storedDevice({ userId: 'U1' })], { credential: 'sdk' }, API_MODE);
    const master = await run([storedDevice({ userId: 'U1' })], { credential: 'master' }, API_MODE);

    expect(sdk.decision).toMatchObject({ kind: 'rejected', status: 403, code: 'USER_REGISTRATION_RESTRICTED' });
    expect(sdk.methods).toEqual(['findForUpdate']);
    expect(sdk.settingsCalls).toHaveLength(1);
    expect(master.decision).toMatchObject({ kind: 'accepted', version: 4 });
    // A master-secret call is never restricted: the settings are not read for it.
    expect(master.settingsCalls).toEqual([]);
  });
});
