import { ApplicationSettings, CommandCredential } from '@omni/contracts';

/**
 * API-level user registration: when the application restricts it to the API, only master-secret
 * calls may attach an email contact or SMS number to a user or detach it. A command that does not
 * say who sent it counts as an SDK call (least privilege). The email and SMS routes are
 * master-only already: this is defence in depth.
 */
export function userRegistrationRestricted(settings: ApplicationSettings, credential: CommandCredential | undefined): boolean {
  return settings.userRegistration === 'api' && (credential ?? 'sdk') === 'sdk';
}
