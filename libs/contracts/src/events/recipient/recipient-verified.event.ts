import { IsOptional, IsString, MaxLength } from 'class-validator';
import { RECIPIENT_USER_ID_MAX_LENGTH } from '../../commands/recipient/recipient-fields';

export const RECIPIENT_VERIFIED = 'recipient.verified';

/**
 * A pending email contact or SMS number was confirmed with its token: it is now active and
 * verified. Topic: recipient.events, aggregate: the recipient id.
 */
export class RecipientVerifiedPayload {
  /** The user the contact belongs to, or null. */
  @IsOptional()
  @IsString()
  @MaxLength(RECIPIENT_USER_ID_MAX_LENGTH)
  userID!: string | null;
}
