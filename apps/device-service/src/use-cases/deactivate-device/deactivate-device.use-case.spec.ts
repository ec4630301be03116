import { DEACTIVATE_DEVICE, DEVICE_DEACTIVATED } from '@omni/contracts';
import { Device } from '../../domain/device';
import { armed, deviceCommand, storedDevice, strictDevices } from '../strict-fakes';
import { DeactivateDeviceUseCase } from './deactivate-device.use-case';

async function run(devices: Device[]) {
  const { repository, calls } = strictDevices(...devices);
  const command = deviceCommand(DEACTIVATE_DEVICE, { credential: 'sdk' });
  const decision = await armed((manager) => new DeactivateDeviceUseCase(repository).execute(manager, command));
  return { decision, calls, methods: calls.map((call) => call.method) };
}

describe('DeactivateDeviceUseCase', () => {
  it('an active device becomes inactive with one device.deactivated, keeping its user; saved', async () => {
    const { decision, calls, methods } = await run([storedDevice({ userId: 'U1' })]);

    expect(decision).toMatchObject({ kind: 'accepted', aggregateType: 'device', version: 4 });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events.map((event) => [event.type, event.payload])).toEqual([[DEVICE_DEACTIVATED, { userID: 'U1' }]]);
    expect(methods).toEqual(['findForUpdate', 'save']);
    expect(calls[1]).toMatchObject({ saved: { status: 'inactive', userId: 'U1', version: 4 } });
  });

  it('an inactive device stays as it is: accepted, no events, not saved', async () => {
    const { decision, methods } = await run([storedDevice({ status: 'inactive' })]);

    expect(decision).toEqual({ kind: 'accepted', aggregateType: 'device', version: 3, events: [] });
    expect(methods).toEqual(['findForUpdate']);
  });

  it('an unknown device is refused with 404 DEVICE_NOT_FOUND', async () => {
    const { decision, methods } = await run([]);

    expect(decision).toMatchObject({ kind: 'rejected', status: 404, code: 'DEVICE_NOT_FOUND' });
    expect(methods).toEqual(['findForUpdate']);
  });
});
