import { EntityManager } from 'typeorm';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { CommandCredential, DEFAULT_APPLICATION_SETTINGS } from '@omni/contracts';
import { userRegistrationRestricted } from '../domain/user-registration';

/**
 * Whether API-level user registration stops this command from changing a device's user. A
 * master-secret command never is: the application's settings are read (one query) only for the others.
 */
export async function userRegistrationRestrictedFor(
  settings: ApplicationSettingsStore,
  em: EntityManager,
  application: string,
  credential: CommandCredential | undefined,
): Promise<boolean> {
  if (credential === 'master') return false;
  const current = (await settings.get(em, application))?.settings ?? DEFAULT_APPLICATION_SETTINGS;
  return userRegistrationRestricted(current, credential);
}
