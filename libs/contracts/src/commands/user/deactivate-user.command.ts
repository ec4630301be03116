import { IsIn, IsOptional } from 'class-validator';
import { COMMAND_CREDENTIALS, CommandCredential } from '../../user-data';

export const DEACTIVATE_USER = 'user.deactivate';

/**
 * Deactivate a user: hidden from lists and messaging until one of their channels registers again.
 * Topic: profile.commands, aggregate: the user's userID.
 */
export class DeactivateUserPayload {
  /** Who asked (filled in by the gateway). */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}
