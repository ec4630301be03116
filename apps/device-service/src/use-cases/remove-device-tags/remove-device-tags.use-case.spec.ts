import { DEVICE_TAGS_CHANGED, REMOVE_DEVICE_TAGS } from '@omni/contracts';
import { Device } from '../../domain/device';
import { armed, deviceCommand, storedDevice, strictDevices } from '../strict-fakes';
import { RemoveDeviceTagsUseCase } from './remove-device-tags.use-case';

async function run(devices: Device[], tags: string[]) {
  const { repository, calls } = strictDevices(...devices);
  const command = deviceCommand(REMOVE_DEVICE_TAGS, { tags });
  const decision = await armed((manager) => new RemoveDeviceTagsUseCase(repository).execute(manager, command));
  return { decision, calls, methods: calls.map((call) => call.method) };
}

describe('RemoveDeviceTagsUseCase', () => {
  it('tags the device has are removed: one device.tags-changed with the list left, saved', async () => {
    const { decision, methods } = await run([storedDevice({ tags: ['a', 'b', 'c'] })], ['b', 'z']);

    expect(decision).toMatchObject({ kind: 'accepted', version: 4 });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events.map((event) => [event.type, event.payload])).toEqual([[DEVICE_TAGS_CHANGED, { tags: ['a', 'c'] }]]);
    expect(methods).toEqual(['findForUpdate', 'save']);
  });

  it('tags the device does not have: accepted, no events, not saved', async () => {
    const { decision, methods } = await run([storedDevice({ tags: ['a'] })], ['z']);

    expect(decision).toEqual({ kind: 'accepted', aggregateType: 'device', version: 3, events: [] });
    expect(methods).toEqual(['findForUpdate']);
  });

  it('an unknown or inactive device is refused with 404 DEVICE_NOT_FOUND', async () => {
    for (const devices of [[], [storedDevice({ status: 'inactive', tags: ['a'] })]]) {
      const { decision } = await run(devices, ['a']);
      expect(decision).toMatchObject({ kind: 'rejected', status: 404, code: 'DEVICE_NOT_FOUND' });
    }
  });
});
