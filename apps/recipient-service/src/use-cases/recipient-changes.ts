import { ApplicationSettings, RecipientChanges } from '@omni/contracts';
import { userDataProblems } from '@omni/app-settings';
import { Decision } from '@omni/messaging';
import { RecipientChangeSet, RecipientUser } from '../domain/recipient';
import { withTimeZoneOffset } from '../domain/time-zone';
import { TokenIssuer } from '../domain/verification-token';
import { userRegistrationRestricted } from '../domain/user-registration';
import { RecipientDecisions } from './recipient-decisions';

export type DecidedChanges = { ok: true; changes: RecipientChangeSet } | { ok: false; decision: Decision };

/**
 * What register and update share: check a command's changes against the application's settings
 * and turn them into a change set. The settings are read (one query) only when a rule needs them:
 * for user data, or for a user change that is not a master-secret call.
 * - user data must fit the application's user data fields (400 naming `userData.<key>`);
 * - when user registration is restricted to the API, an SDK command may not attach the contact to
 *   another user or detach it (403); re-sending the user it has is ignored;
 * - a time zone without an offset gets the zone's offset at `now`;
 * - `verify: true` hands the domain a token issuer (it issues only when its rules need a token).
 */
export async function decideChanges(
  readSettings: () => Promise<ApplicationSettings>,
  payload: RecipientChanges,
  current: RecipientUser | null,
  now: Date,
  issue: TokenIssuer,
): Promise<DecidedChanges> {
  let read: Promise<ApplicationSettings> | undefined;
  const settings = () => (read ??= readSettings());

  const problems = payload.userData ? userDataProblems((await settings()).userDataFields, payload.userData) : [];
  if (problems.length > 0) return { ok: false, decision: RecipientDecisions.validationFailed(problems) };

  let user: RecipientUser | null | undefined =
    payload.userID === undefined ? undefined : payload.userID === null ? null : { userId: payload.userID, userName: payload.userName ?? null };
  // A master-secret call is never restricted, whatever the settings say.
  if (user !== undefined && payload.credential !== 'master' && userRegistrationRestricted(await settings(), payload.credential)) {
    if ((user?.userId ?? null) !== (current?.userId ?? null)) return { ok: false, decision: RecipientDecisions.userRegistrationRestricted() };
    user = undefined;
  }

  return {
    ok: true,
    changes: {
      properties: withTimeZoneOffset(payload, now),
      user,
      userData: payload.userData,
      tags: payload.tags,
      verify: payload.verify === true ? issue : undefined,
    },
  };
}
