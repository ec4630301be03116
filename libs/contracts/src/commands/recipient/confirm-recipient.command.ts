import { IsString, MaxLength, MinLength } from 'class-validator';
import { VERIFICATION_TOKEN_MAX_LENGTH } from './recipient-fields';

export const CONFIRM_RECIPIENT = 'recipient.confirm';

/**
 * Confirm a pending email contact or SMS number with the token its recipient.verification-requested
 * event carried (delivered to the address by the messaging capability). The right, unexpired token
 * makes the contact active and verified, once; any other token is refused (400 INVALID_TOKEN).
 * Topic: recipient.commands, aggregate: the recipient id.
 * The token is a secret: logs never print payloads.
 */
export class ConfirmRecipientPayload {
  @IsString()
  @MinLength(1)
  @MaxLength(VERIFICATION_TOKEN_MAX_LENGTH)
  token!: string;
}
