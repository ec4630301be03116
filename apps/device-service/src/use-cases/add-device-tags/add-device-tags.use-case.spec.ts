import { ADD_DEVICE_TAGS, DEVICE_TAGS_CHANGED } from '@omni/contracts';
import { Device } from '../../domain/device';
import { armed, deviceCommand, storedDevice, strictDevices } from '../strict-fakes';
import { AddDeviceTagsUseCase } from './add-device-tags.use-case';

async function run(devices: Device[], tags: string[]) {
  const { repository, calls } = strictDevices(...devices);
  const command = deviceCommand(ADD_DEVICE_TAGS, { tags });
  const decision = await armed((manager) => new AddDeviceTagsUseCase(repository).execute(manager, command));
  return { decision, calls, methods: calls.map((call) => call.method) };
}

describe('AddDeviceTagsUseCase', () => {
  it('new tags: one device.tags-changed with the full list after the change, saved', async () => {
    const { decision, calls, methods } = await run([storedDevice({ tags: ['a'] })], ['b', 'a', 'c']);

    expect(decision).toMatchObject({ kind: 'accepted', aggregateType: 'device', version: 4 });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events.map((event) => [event.type, event.payload])).toEqual([[DEVICE_TAGS_CHANGED, { tags: ['a', 'b', 'c'] }]]);
    expect(methods).toEqual(['findForUpdate', 'save']);
    expect(calls[1]).toMatchObject({ saved: { tags: ['a', 'b', 'c'] } });
  });

  it('tags the device has already: accepted, no events, not saved', async () => {
    const { decision, methods } = await run([storedDevice({ tags: ['a', 'b'] })], ['b']);

    expect(decision).toEqual({ kind: 'accepted', aggregateType: 'device', version: 3, events: [] });
    expect(methods).toEqual(['findForUpdate']);
  });

  it('an unknown or inactive device is refused with 404 DEVICE_NOT_FOUND', async () => {
    for (const devices of [[], [storedDevice({ status: 'inactive' })]]) {
      const { decision, methods } = await run(devices, ['a']);
      expect(decision).toMatchObject({ kind: 'rejected', status: 404, code: 'DEVICE_NOT_FOUND' });
      expect(methods).toEqual(['findForUpdate']);
    }
  });
});
