import { ApplicationSettings, DEVICE_USER_DATA_CHANGED, OVERRIDE_DEVICE_USER_DATA, OVERRIDE_USER_DATA, OverrideDeviceUserDataPayload, Topics } from '@omni/contracts';
import { Device } from '../../domain/device';
import { APP, armed, deviceCommand, storedDevice, strictDevices, strictSettings } from '../strict-fakes';
import { OverrideDeviceUserDataUseCase } from './override-device-user-data.use-case';

const FIELDS: ApplicationSettings = {
  userRegistration: 'sdk',
  userDataFields: [
    { key: 'firstName', label: 'First name', type: 'text' },
    { key: 'lastName', label: 'Last name', type: 'text' },
    { key: 'birthdate', label: 'Birthdate', type: 'date' },
    { key: 'gender', label: 'Gender', type: 'enum', values: ['Male', 'Female'] },
  ],
};
const API_FIELDS: ApplicationSettings = { ...FIELDS, userRegistration: 'api' };

/** `settings` null: the service has no settings for the application. */
async function run(devices: Device[], payload: OverrideDeviceUserDataPayload, settings: ApplicationSettings | null = FIELDS) {
  const { repository, calls } = strictDevices(...devices);
  const settingsPort = strictSettings(settings ?? undefined);
  const command = deviceCommand(OVERRIDE_DEVICE_USER_DATA, payload);
  const decision = await armed((manager) => new OverrideDeviceUserDataUseCase(repository, settingsPort.store).execute(manager, command));
  return { decision, command, calls, settingsCalls: settingsPort.calls, methods: calls.map((call) => call.method) };
}

describe('OverrideDeviceUserDataUseCase', () => {
  it('an anonymous device: given fields replace, null clears, others stay; one device.user-data-changed with the full data, saved', async () => {
    const device = storedDevice({ userData: { firstName: 'Ada', lastName: 'Lovelace', gender: 'Female' } });

    const { decision, calls, settingsCalls } = await run([device], {
      userData: { firstName: 'John', lastName: null, birthdate: '1997-03-10' },
      credential: 'sdk',
    });

    expect(decision).toMatchObject({ kind: 'accepted', aggregateType: 'device', version: 4 });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events.map((event) => [event.type, event.payload])).toEqual([
      [DEVICE_USER_DATA_CHANGED, { userData: { firstName: 'John', gender: 'Female', birthdate: '1997-03-10' } }],
    ]);
    expect(calls.map((call) => call.method)).toEqual(['findForUpdate', 'save']);
    expect(calls[1]).toMatchObject({ saved: { userData: { firstName: 'John', gender: 'Female', birthdate: '1997-03-10' } } });
    expect(settingsCalls).toEqual([{ application: APP }]);
  });

  it('values the device has already: accepted, no events, not saved', async () => {
    const { decision, methods } = await run([storedDevice({ userData: { firstName: 'Ada' } })], { userData: { firstName: 'Ada', lastName: null } });

    expect(decision).toEqual({ kind: 'accepted', aggregateType: 'device', version: 3, events: [] });
    expect(methods).toEqual(['findForUpdate']);
  });

  it('unknown fields and values of the wrong type are refused with 400 naming userData.<key>, nothing saved', async () => {
    const { decision, methods } = await run([storedDevice()], { userData: { nickname: 'J', gender: 'other', birthdate: '10-03-1997', firstName: 'Ok' } });

    expect(decision).toMatchObject({
      kind: 'rejected',
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: [
        { field: 'userData.nickname', message: 'userData.nickname is not a user data field of the application' },
        { field: 'userData.gender', message: 'userData.gender must be one of: Male, Female' },
        { field: 'userData.birthdate', message: 'userData.birthdate must be an ISO 8601 date (YYYY-MM-DD) or timestamp' },
      ],
    });
    expect(methods).toEqual(['findForUpdate']);
  });

  it('an application the service does not know (yet) has no fields: every key is refused', async () => {
    const { decision } = await run([storedDevice()], { userData: { firstName: 'John' } }, null);
    expect(decision).toMatchObject({ kind: 'rejected', status: 400, fields: [{ field: 'userData.firstName' }] });
  });

  it("a device that belongs to a user: forwarded to the user's profile as user.override-user-data, answering for this command; nothing saved here", async () => {
    const { decision, methods, command } = await run([storedDevice({ userId: 'U1' })], { userData: { firstName: 'John', lastName: null }, credential: 'master' }, API_FIELDS);

    expect(decision).toEqual({
      kind: 'forwarded',
      events: [],
      to: {
        topic: Topics.profileCommands,
        command: expect.objectContaining({
          id: command.id,
          type: OVERRIDE_USER_DATA,
          application: APP,
          aggregateId: 'U1',
          correlationId: command.correlationId,
          causationId: command.id,
          forwardedFrom: { commandType: OVERRIDE_DEVICE_USER_DATA },
          payload: { userData: { firstName: 'John', lastName: null }, credential: 'master' },
        }),
      },
    });
    expect(methods).toEqual(['findForUpdate']);
  });

  it("a device that belongs to a user: its data is checked here too (400 naming userData.<key>, nothing forwarded)", async () => {
    const { decision } = await run([storedDevice({ userId: 'U1' })], { userData: { nickname: 'J' }, credential: 'master' });
    expect(decision).toMatchObject({ kind: 'rejected', status: 400, fields: [{ field: 'userData.nickname' }] });
  });

  it('restricted to the API: the SDK may not change the data of a device with a user (403) but may change an anonymous one', async () => {
    const withUser = await run([storedDevice({ userId: 'U1' })], { userData: { firstName: 'John' }, credential: 'sdk' }, API_FIELDS);
    const anonymous = await run([storedDevice()], { userData: { firstName: 'John' }, credential: 'sdk' }, API_FIELDS);

    expect(withUser.decision).toMatchObject({ kind: 'rejected', status: 403, code: 'USER_REGISTRATION_RESTRICTED' });
    expect(anonymous.decision).toMatchObject({ kind: 'accepted', version: 4 });
  });

  it('an unknown or inactive device is refused with 404 DEVICE_NOT_FOUND', async () => {
    for (const devices of [[], [storedDevice({ status: 'inactive' })]]) {
      const { decision, settingsCalls } = await run(devices, { userData: { firstName: 'John' } });
      expect(decision).toMatchObject({ kind: 'rejected', status: 404, code: 'DEVICE_NOT_FOUND' });
      expect(settingsCalls).toEqual([]);
    }
  });
});
