import { EntityManager } from 'typeorm';
import { UserRef } from '@omni/persistence';
import { strictFake } from '@omni/testing';
import { ApplicationSettings, ChannelLimits, CommandType, DEFAULT_APPLICATION_SETTINGS, Message, channelLimitsOf, newEnvelope } from '@omni/contracts';
import { ApplicationSettingsStore, KnownApplication } from '@omni/app-settings';
import { Device, DeviceState } from '../domain/device';
import { DevicesRepository } from '../persistence/devices.repository';

/**
 * Strict fakes of the device use cases' ports, for unit tests (no database): each answers what
 * it was given, records its calls, and fails on any property the use case was not meant to touch.
 */

export const APP = 'app-key-1';

const strict = <T extends object>(name: string, implemented: T): T => strictFake<T>(name, implemented);

export type DeviceCall =
  | { method: 'findForUpdate'; em: EntityManager; application: string; deviceId: string }
  | { method: 'findOfUserForUpdate'; em: EntityManager; application: string; userId: string; found: string[] }
  | { method: 'userHasDevices'; em: EntityManager; application: string; userId: string }
  | { method: 'mayAttach'; em: EntityManager; application: string; userId: string; except: readonly string[]; limit: number }
  | { method: 'save'; em: EntityManager; device: Device; saved: DeviceState };

/**
 * Devices port answering from the given devices (by application and deviceID; a user's devices by
 * their current user, in deviceID order); `saved` is the state at save time. `put` stores another
 * device; `whileLocking` holds what other transactions commit while a findOfUserForUpdate waits
 * (one callback per call, run after it answered, as the database's snapshot would have it).
 */
export function strictDevices(...stored: Device[]): {
  repository: DevicesRepository;
  calls: DeviceCall[];
  put: (device: Device) => void;
  whileLocking: (() => void)[];
} {
  const calls: DeviceCall[] = [];
  const whileLocking: (() => void)[] = [];
  const byKey = new Map(stored.map((device) => [`${device.snapshot.application}:${device.snapshot.deviceId}`, device]));
  const put = (device: Device) => byKey.set(`${device.snapshot.application}:${device.snapshot.deviceId}`, device);
  const ofUser = (application: string, userId: string) =>
    [...byKey.values()]
      .filter((device) => device.snapshot.application === application && device.snapshot.userId === userId)
      .sort((a, b) => (a.snapshot.deviceId < b.snapshot.deviceId ? -1 : 1));
  const repository = strict('DevicesRepository', {
    async findForUpdate(em: EntityManager, application: string, deviceId: string): Promise<Device | null> {
      calls.push({ method: 'findForUpdate', em, application, deviceId });
      return byKey.get(`${application}:${deviceId}`) ?? null;
    },
    async findOfUserForUpdate(em: EntityManager, application: string, userId: string): Promise<Device[]> {
      const found = ofUser(application, userId);
      calls.push({ method: 'findOfUserForUpdate', em, application, userId, found: found.map((device) => device.snapshot.deviceId) });
      whileLocking.shift()?.();
      return found;
    },
    async userHasDevices(em: EntityManager, application: string, userId: string): Promise<boolean> {
      calls.push({ method: 'userHasDevices', em, application, userId });
      return ofUser(application, userId).length > 0;
    },
    async mayAttach(em: EntityManager, { application, userId }: UserRef, except: readonly string[], limit: number): Promise<boolean> {
      calls.push({ method: 'mayAttach', em, application, userId, except, limit });
      return ofUser(application, userId).filter((device) => device.isActive && !except.includes(device.snapshot.deviceId)).length < limit;
    },
    async save(em: EntityManager, device: Device): Promise<void> {
      calls.push({ method: 'save', em, device, saved: structuredClone(device.snapshot) });
    },
  }) as unknown as DevicesRepository;
  return { repository, calls, put, whileLocking };
}

/** Settings port: the given settings for APP (version 1), nothing for any other application (or for none given). */
export function strictSettings(settings?: ApplicationSettings): { store: ApplicationSettingsStore; calls: { application: string }[] } {
  const calls: { application: string }[] = [];
  const store = strict('ApplicationSettingsStore', {
    async get(_em: EntityManager, application: string): Promise<KnownApplication | undefined> {
      calls.push({ application });
      return settings && application === APP ? { settings, version: 1 } : undefined;
    },
    async channelLimits(_em: EntityManager, application: string): Promise<Required<ChannelLimits>> {
      return channelLimitsOf((application === APP && settings) || DEFAULT_APPLICATION_SETTINGS);
    },
  }) as unknown as ApplicationSettingsStore;
  return { store, calls };
}

export const API_MODE: ApplicationSettings = { userRegistration: 'api', userDataFields: [] };

/**
 * Dummy entity manager: the use case may only hand it on. While `armed`, reading or setting
 * anything on it fails (afterwards the assertions may compare it).
 */
let emArmed = false;
export const em = new Proxy(
  {},
  {
    get(target, property, receiver) {
      if (emArmed) throw new Error(`the use case used EntityManager.${String(property)} itself`);
      return Reflect.get(target, property, receiver);
    },
    set(_target, property) {
      throw new Error(`the use case set EntityManager.${String(property)}`);
    },
  },
) as unknown as EntityManager;

/** Run a use case with the dummy entity manager armed. */
export async function armed<T>(run: (em: EntityManager) => Promise<T>): Promise<T> {
  emArmed = true;
  try {
    return await run(em);
  } finally {
    emArmed = false;
  }
}

/** A command as the gateway sends it, about device `deviceId` of APP (or, for a user-level command, about a userID). */
export function deviceCommand<T extends CommandType>(type: T, payload: Message<T>['payload'], deviceId = 'device-1'): Message<T> {
  return newEnvelope({ type, application: APP, aggregateId: deviceId, aggregateVersion: null, payload });
}

/** The state an owner change of `storedDevice()` carries: everything but its user. */
export const STORED_DEVICE_STATE = {
  platform: 'iOS',
  transport: 'APNS',
  properties: { language: 'en', timeZoneOffset: 1 },
  tags: [],
  userData: {},
  status: 'active',
};

/** A stored device (active, anonymous, iOS over APNS, version 3 unless overridden). */
export function storedDevice(overrides: Partial<DeviceState> = {}): Device {
  return Device.restore({
    application: APP,
    deviceId: 'device-1',
    userId: null,
    userName: null,
    platform: 'iOS',
    transport: 'APNS',
    properties: { language: 'en', timeZoneOffset: 1 },
    tags: [],
    userData: {},
    status: 'active',
    replacedBy: null,
    version: 3,
    ...overrides,
  });
}
