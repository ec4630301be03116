import { IsIn, IsOptional } from 'class-validator';
import { COMMAND_CREDENTIALS, CommandCredential } from '../../user-data';

export const ERASE_USER = 'user.erase';

/**
 * Erase a user's personal data everywhere (`DELETE /user/foruserid/{userID}/remove`). The gateway
 * sends it together with `device.erase-user` and `recipient.erase-user`; the profile-service
 * forgets the user and emits `user.erased`, whose projection shreds the user's key.
 * Topic: profile.commands, aggregate: the user's userID.
 */
export class EraseUserPayload {
  /** Who asked (filled in by the gateway). */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}
