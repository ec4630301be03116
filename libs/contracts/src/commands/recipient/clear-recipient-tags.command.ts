import { IsIn, IsOptional } from 'class-validator';
import { COMMAND_CREDENTIALS, CommandCredential } from '../../user-data';

export const CLEAR_RECIPIENT_TAGS = 'recipient.clear-tags';

/**
 * Remove every tag of an email contact or SMS number (PUT /email/{deviceID}/cleartags,
 * /sms/{deviceID}/cleartags). Topic: recipient.commands, aggregate: the recipient id.
 */
export class ClearRecipientTagsPayload {
  /** Who asked (filled in by the gateway). */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}
