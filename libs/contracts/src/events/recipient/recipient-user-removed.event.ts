import { IsString, MaxLength, MinLength } from 'class-validator';
import { RECIPIENT_USER_ID_MAX_LENGTH } from '../../commands/recipient/recipient-fields';

export const RECIPIENT_USER_REMOVED = 'recipient.user-removed';

/** An email contact or SMS number no longer belongs to a user. Topic: recipient.events, aggregate: the recipient id. */
export class RecipientUserRemovedPayload {
  @IsString()
  @MinLength(1)
  @MaxLength(RECIPIENT_USER_ID_MAX_LENGTH)
  previousUserID!: string;
}
