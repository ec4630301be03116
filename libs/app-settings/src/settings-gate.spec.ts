import { EntityManager } from 'typeorm';
import { isTransientError } from '@omni/messaging';
import { ApplicationSettingsStore, SETTINGS_WAIT_LIMIT_MS, SettingsNotYetApplied, settingsGate } from './app-settings';

const em = {} as EntityManager;
const NOW = Date.parse('2026-01-01T12:00:00Z');

function storeAt(version: number | undefined): ApplicationSettingsStore {
  return { version: async () => version } as unknown as ApplicationSettingsStore;
}

const command = (requiresSettingsVersion: number | undefined, ageMs = 0) => ({
  application: 'app-1',
  time: new Date(NOW - ageMs).toISOString(),
  ...(requiresSettingsVersion === undefined ? {} : { requiresSettingsVersion }),
});

describe('settingsGate', () => {
  it('lets a command through once the service has the settings version it was accepted under', async () => {
    await expect(settingsGate(storeAt(3), () => NOW)(em, command(3))).resolves.toBeUndefined();
    await expect(settingsGate(storeAt(4), () => NOW)(em, command(3))).resolves.toBeUndefined();
    await expect(settingsGate(storeAt(undefined), () => NOW)(em, command(undefined))).resolves.toBeUndefined();
  });

  it('holds a command back (a transient error, so the consumer retries) while the settings are older', async () => {
    const held = settingsGate(storeAt(2), () => NOW)(em, command(3));
    await expect(held).rejects.toBeInstanceOf(SettingsNotYetApplied);
    await expect(held.catch((error: unknown) => isTransientError(error))).resolves.toBe(true);
    await expect(settingsGate(storeAt(undefined), () => NOW)(em, command(1))).rejects.toBeInstanceOf(SettingsNotYetApplied);
  });

  it('stops waiting after the limit: a lost settings event never stalls the partition for ever', async () => {
    await expect(settingsGate(storeAt(2), () => NOW)(em, command(3, SETTINGS_WAIT_LIMIT_MS + 1))).resolves.toBeUndefined();
  });
});
