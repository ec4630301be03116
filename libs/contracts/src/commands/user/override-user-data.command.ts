import { IsIn, IsOptional } from 'class-validator';
import { COMMAND_CREDENTIALS, CommandCredential, IsUserDataMap, UserDataMap } from '../../user-data';

export const OVERRIDE_USER_DATA = 'user.override-user-data';

/**
 * Set a user's data: the given fields replace their values, a field sent as null is cleared,
 * fields not sent stay. Creates the user if it does not exist yet.
 * Topic: profile.commands; aggregate: the userID (so every write to one user is ordered).
 */
export class OverrideUserDataPayload {
  @IsUserDataMap(true)
  userData!: UserDataMap;

  /** Who sent it (as the gateway authenticated it); missing counts as `sdk`. */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}
