import { IsDateString, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import {
  RECIPIENT_CHANNELS,
  RECIPIENT_NORMALISED_ADDRESS_MAX_LENGTH,
  RecipientChannel,
  VERIFICATION_TOKEN_MAX_LENGTH,
} from '../../commands/recipient/recipient-fields';

export const RECIPIENT_VERIFICATION_REQUESTED = 'recipient.verification-requested';

/**
 * An email contact or SMS number must be confirmed before it becomes active: the messaging
 * capability delivers `token` to `address`; recipient.confirm with it (before `expiresAt`, once)
 * verifies the contact. A newer request replaces the token of an older one.
 *
 * SECRET: `token` is a single-use credential (the service stores only its hash). Logs never print
 * payloads; consumers other than the deliverer must ignore it. Topic: recipient.events,
 * aggregate: the recipient id.
 */
export class RecipientVerificationRequestedPayload {
  @IsIn(RECIPIENT_CHANNELS)
  channel!: RecipientChannel;

  /** Where to deliver the token: the normalised address. */
  @IsString()
  @MinLength(1)
  @MaxLength(RECIPIENT_NORMALISED_ADDRESS_MAX_LENGTH)
  address!: string;

  /** 32 random bytes, base64url (43 characters). */
  @IsString()
  @MinLength(1)
  @MaxLength(VERIFICATION_TOKEN_MAX_LENGTH)
  token!: string;

  /** ISO 8601 time after which the token no longer confirms. */
  @IsDateString()
  expiresAt!: string;
}
