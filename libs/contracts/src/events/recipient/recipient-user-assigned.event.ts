import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { RECIPIENT_USER_ID_MAX_LENGTH, RECIPIENT_USER_NAME_MAX_LENGTH } from '../../commands/recipient/recipient-fields';

export const RECIPIENT_USER_ASSIGNED = 'recipient.user-assigned';

/** An email contact or SMS number now belongs to a user (or its userName changed). Topic: recipient.events, aggregate: the recipient id. */
export class RecipientUserAssignedPayload {
  @IsString()
  @MinLength(1)
  @MaxLength(RECIPIENT_USER_ID_MAX_LENGTH)
  userID!: string;

  @IsOptional()
  @IsString()
  @MaxLength(RECIPIENT_USER_NAME_MAX_LENGTH)
  userName!: string | null;

  /**
   * The user the contact belonged to before: another userID when it moved, the same userID when
   * only the userName changed, null when it belonged to nobody.
   */
  @IsOptional()
  @IsString()
  @MaxLength(RECIPIENT_USER_ID_MAX_LENGTH)
  previousUserID!: string | null;
}
