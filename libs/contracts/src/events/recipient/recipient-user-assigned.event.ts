import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { RECIPIENT_USER_ID_MAX_LENGTH, RECIPIENT_USER_NAME_MAX_LENGTH } from '../../commands/recipient/recipient-fields';
import { RecipientChannelState } from './recipient-channel-state';

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

  /**
   * The contact's whole state at this version, sealed for its new user: a reader sets the contact
   * to it (ADR 0009, "Owner changes re-seal the channel's state"). Absent in events recorded before
   * it was added.
   */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RecipientChannelState)
  state?: RecipientChannelState;
}
