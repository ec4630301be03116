import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, MaxLength, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { RECIPIENT_USER_ID_MAX_LENGTH } from '../../commands/recipient/recipient-fields';
import { RecipientChannelState } from './recipient-channel-state';

export const RECIPIENT_USER_REMOVED = 'recipient.user-removed';

/** An email contact or SMS number no longer belongs to a user. Topic: recipient.events, aggregate: the recipient id. */
export class RecipientUserRemovedPayload {
  /**
   * The user the contact belonged to. Null only as a reader sees an event with `state` once that
   * user was erased (the service always names the user).
   */
  @ValidateIf((payload: RecipientUserRemovedPayload) => payload.previousUserID !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(RECIPIENT_USER_ID_MAX_LENGTH)
  previousUserID!: string | null;

  /**
   * The contact's whole state at this version (belonging to nobody now: in clear): a reader sets
   * the contact to it (ADR 0009, "Owner changes re-seal the channel's state"). Absent in events
   * recorded before it was added.
   */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RecipientChannelState)
  state?: RecipientChannelState;
}
