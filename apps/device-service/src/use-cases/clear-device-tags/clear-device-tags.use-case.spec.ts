import { CLEAR_DEVICE_TAGS, DEVICE_TAGS_CHANGED } from '@omni/contracts';
import { Device } from '../../domain/device';
import { armed, deviceCommand, storedDevice, strictDevices } from '../strict-fakes';
import { ClearDeviceTagsUseCase } from './clear-device-tags.use-case';

async function run(devices: Device[]) {
  const { repository, calls } = strictDevices(...devices);
  const command = deviceCommand(CLEAR_DEVICE_TAGS, {});
  const decision = await armed((manager) => new ClearDeviceTagsUseCase(repository).execute(manager, command));
  return { decision, calls, methods: calls.map((call) => call.method) };
}

describe('ClearDeviceTagsUseCase', () => {
  it('a tagged device ends with no tags: one device.tags-changed with an empty list, saved', async () => {
    const { decision, calls, methods } = await run([storedDevice({ tags: ['a', 'b'] })]);

    expect(decision).toMatchObject({ kind: 'accepted', version: 4 });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events.map((event) => [event.type, event.payload])).toEqual([[DEVICE_TAGS_CHANGED, { tags: [] }]]);
    expect(methods).toEqual(['findForUpdate', 'save']);
    expect(calls[1]).toMatchObject({ saved: { tags: [] } });
  });

  it('a device without tags: accepted, no events, not saved', async () => {
    const { decision, methods } = await run([storedDevice()]);

    expect(decision).toEqual({ kind: 'accepted', aggregateType: 'device', version: 3, events: [] });
    expect(methods).toEqual(['findForUpdate']);
  });

  it('an unknown or inactive device is refused with 404 DEVICE_NOT_FOUND', async () => {
    for (const devices of [[], [storedDevice({ status: 'inactive', tags: ['a'] })]]) {
      const { decision } = await run(devices);
      expect(decision).toMatchObject({ kind: 'rejected', status: 404, code: 'DEVICE_NOT_FOUND' });
    }
  });
});
