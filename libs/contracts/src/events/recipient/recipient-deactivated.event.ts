import { IsOptional, IsString, MaxLength } from 'class-validator';
import { RECIPIENT_USER_ID_MAX_LENGTH } from '../../commands/recipient/recipient-fields';

export const RECIPIENT_DEACTIVATED = 'recipient.deactivated';

/**
 * An email contact or SMS number was deactivated: it stays readable, inactive, keeping its user,
 * tags and user data until it is registered again; a pending verification is cancelled
 * (verification `none`, its token no longer works). Topic: recipient.events, aggregate: the recipient id.
 */
export class RecipientDeactivatedPayload {
  /** The user the (now inactive) contact still belongs to, or null. */
  @IsOptional()
  @IsString()
  @MaxLength(RECIPIENT_USER_ID_MAX_LENGTH)
  userID!: string | null;
}
