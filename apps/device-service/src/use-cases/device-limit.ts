import { EntityManager } from 'typeorm';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { Device } from '../domain/device';
import { DevicesRepository } from '../persistence/devices.repository';

/** Whether a device was one of its user's active devices (before a change). */
export interface DeviceStanding {
  active: boolean;
  userId: string | null;
}

export function standingOf(device: Device | null): DeviceStanding | null {
  return device && { active: device.isActive, userId: device.snapshot.userId };
}

/**
 * The application's limit of active devices per user, when a change makes `device` one more active
 * device of its user (it was not, as `before` says) and the user holds that many already, `except`
 * the devices the change itself concerns; undefined when the change may go ahead.
 */
export async function deviceLimitPassed(
  devices: DevicesRepository,
  settings: ApplicationSettingsStore,
  em: EntityManager,
  device: Device,
  before: DeviceStanding | null,
  except: readonly string[],
): Promise<number | undefined> {
  const { application, userId } = device.snapshot;
  if (!device.isActive || userId === null || (before?.active && before.userId === userId)) return undefined;
  const { devicesPerUser } = await settings.channelLimits(em, application);
  return (await devices.mayAttach(em, { application, userId }, except, devicesPerUser)) ? undefined : devicesPerUser;
}
