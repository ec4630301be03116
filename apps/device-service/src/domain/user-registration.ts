import { ApplicationSettings, CommandCredential } from '@omni/contracts';

/**
 * API-level user registration: when the application restricts it to the API, only master-secret
 * calls may attach a device to a user, detach it, or change the data of a device that belongs
 * to a user. A command that does not say who sent it counts as an SDK call (least privilege).
 */
export function userRegistrationRestricted(settings: ApplicationSettings, credential: CommandCredential | undefined): boolean {
  return settings.userRegistration === 'api' && (credential ?? 'sdk') === 'sdk';
}
