import { IsIn, IsOptional } from 'class-validator';
import { COMMAND_CREDENTIALS, CommandCredential } from '../../user-data';

export const DEACTIVATE_RECIPIENT = 'recipient.deactivate';

/**
 * Deactivate an email contact or SMS number (DELETE /email/{deviceID}, /sms/{deviceID}): it stays
 * readable, inactive, keeping its user, tags and user data, until it is registered again. A pending
 * verification is cancelled. Topic: recipient.commands, aggregate: the recipient id.
 */
export class DeactivateRecipientPayload {
  /** Who asked (filled in by the gateway). */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}
