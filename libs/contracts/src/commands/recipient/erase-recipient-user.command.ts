import { IsIn, IsOptional } from 'class-validator';
import { COMMAND_CREDENTIALS, CommandCredential } from '../../user-data';

export const ERASE_RECIPIENT_USER = 'recipient.erase-user';

/**
 * Remove every email and SMS contact of a user, as part of erasing the user: each contact emits
 * `recipient.erased`. Topic: recipient.commands, aggregate: the user's userID.
 */
export class EraseRecipientUserPayload {
  /** Who asked (filled in by the gateway). */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}
