import { ApplicationSettings, CommandCredential, RecipientChanges, UserDataMap } from '@omni/contracts';
import { userDataProblems } from '@omni/app-settings';
import { Decision } from '@omni/messaging';
import { RecipientChangeSet, RecipientUser } from '../domain/recipient';
import { withTimeZoneOffset } from '../domain/time-zone';
import { TokenIssuer } from '../domain/verification-token';
import { userRegistrationRestricted } from '../domain/user-registration';
import { RecipientDecisions } from './recipient-decisions';

export type DecidedChanges = { ok: true; changes: RecipientChangeSet; userData?: UserDataForUser } | { ok: false; decision: Decision };

/** User data sent through a contact that belongs (or will belong) to a user: the user's, not the contact's. */
export interface UserDataForUser {
  userId: string;
  userData: UserDataMap;
  credential: CommandCredential | undefined;
}

/**
 * What register and update share: check a command's changes against the application's settings
 * and turn them into a change set. The settings are read (one query) only when a rule needs them:
 * for user data, or for a user change that is not a master-secret call.
 * - user data must fit the application's user data fields (400 naming `userData.<key>`);
 * - when user registration is restricted to the API, an SDK command may not attach the contact to
 *   another user or detach it (403); re-sending the user it has is ignored;
 * - a time zone without an offset gets the zone's offset at `now`;
 * - `verify: true` hands the domain a token issuer (it issues only when its rules need a token);
 * - user data goes to the contact's user once the changes are applied (the one the command names,
 *   else the one it has): returned as `userData` for the use case to forward (ADR 0015), and left
 *   out of the contact's changes; restricted as a user change is. A contact of nobody keeps its own.
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

  const owner = user === undefined ? current : user;
  // `"userData": null` asks for nothing (the field is nullable, as every optional one).
  const forUser = payload.userData && owner ? { userId: owner.userId, userData: payload.userData, credential: payload.credential } : undefined;
  if (forUser && payload.credential !== 'master' && userRegistrationRestricted(await settings(), payload.credential)) {
    return { ok: false, decision: RecipientDecisions.userRegistrationRestricted() };
  }
  return {
    ok: true,
    changes: {
      properties: withTimeZoneOffset(payload, now),
      user,
      userData: forUser ? undefined : (payload.userData ?? undefined),
      tags: payload.tags,
      verify: payload.verify === true ? issue : undefined,
    },
    ...(forUser ? { userData: forUser } : {}),
  };
}
