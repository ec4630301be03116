import { DEVICE_UPDATED, UPDATE_DEVICE, UpdateDevicePayload } from '@omni/contracts';
import { Device } from '../../domain/device';
import { APP, armed, deviceCommand, em, storedDevice, strictDevices } from '../strict-fakes';
import { UpdateDeviceUseCase } from './update-device.use-case';

async function run(devices: Device[], payload: UpdateDevicePayload) {
  const { repository, calls } = strictDevices(...devices);
  const command = deviceCommand(UPDATE_DEVICE, payload);
  const decision = await armed((manager) => new UpdateDeviceUseCase(repository).execute(manager, command));
  return { command, decision, calls, methods: calls.map((call) => call.method) };
}

describe('UpdateDeviceUseCase', () => {
  it('changed properties: one device.updated with what changed, at the next version, saved', async () => {
    const { command, decision, calls } = await run([storedDevice()], {
      language: 'nl',
      timeZoneOffset: 1,
      region: 'NL',
      location: { type: 'Point', coordinates: [4.9, 52.37] },
    });

    expect(decision).toMatchObject({ kind: 'accepted', aggregateType: 'device', version: 4 });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events).toHaveLength(1);
    expect(decision.events[0]).toMatchObject({
      type: DEVICE_UPDATED,
      aggregateId: 'device-1',
      aggregateVersion: 4,
      causationId: command.id,
      payload: { properties: { language: 'nl', region: 'NL', location: { type: 'Point', coordinates: [4.9, 52.37] } } },
    });
    expect(calls[0]).toEqual({ method: 'findForUpdate', em, application: APP, deviceId: 'device-1' });
    expect(calls[1]).toMatchObject({ method: 'save', em, saved: { version: 4, properties: { language: 'nl', timeZoneOffset: 1, region: 'NL' } } });
  });

  it('nothing changed: accepted at the current version, no events, not saved', async () => {
    const { decision, methods } = await run([storedDevice()], { language: 'en' });

    expect(decision).toEqual({ kind: 'accepted', aggregateType: 'device', version: 3, events: [] });
    expect(methods).toEqual(['findForUpdate']);
  });

  it('an unknown or inactive device is refused with 404 DEVICE_NOT_FOUND and nothing is saved', async () => {
    for (const devices of [[], [storedDevice({ status: 'inactive' })]]) {
      const { decision, methods } = await run(devices, { language: 'nl' });
      expect(decision).toMatchObject({ kind: 'rejected', status: 404, code: 'DEVICE_NOT_FOUND', message: 'device not found' });
      expect(methods).toEqual(['findForUpdate']);
    }
  });
});
