import { Type } from 'class-transformer';
import { IsArray, IsDateString, IsIn, IsObject, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { IsTag } from '../../commands/device/device-fields';
import { IsUserDataMap } from '../../user-data';
import {
  RECIPIENT_CHANNELS,
  RECIPIENT_NORMALISED_ADDRESS_MAX_LENGTH,
  RECIPIENT_STATUSES,
  RECIPIENT_USER_ID_MAX_LENGTH,
  RECIPIENT_USER_NAME_MAX_LENGTH,
  RECIPIENT_VERIFICATIONS,
  RecipientChannel,
  RecipientProperties,
  RecipientStatus,
  RecipientVerification,
} from '../../commands/recipient/recipient-fields';

export const RECIPIENT_REGISTERED = 'recipient.registered';

/**
 * An email contact or SMS number came into existence, or came back after it was deactivated. It
 * carries the contact's whole state at that version (a reactivated contact starts over from it).
 * `status` is `inactive` with `verification: pending` while a verification awaits confirmation.
 * Topic: recipient.events, aggregate: the recipient id. Personal data (the address): logs never
 * print payloads.
 */
export class RecipientRegisteredPayload {
  @IsIn(RECIPIENT_CHANNELS)
  channel!: RecipientChannel;

  /** The normalised address: an email address (domain lower-cased) or an E.164 phone number. */
  @IsString()
  @MinLength(1)
  @MaxLength(RECIPIENT_NORMALISED_ADDRESS_MAX_LENGTH)
  address!: string;

  /** Only the properties that are set. */
  @IsObject()
  @ValidateNested()
  @Type(() => RecipientProperties)
  properties!: RecipientProperties;

  /** The user the contact belongs to, or null. */
  @IsOptional()
  @IsString()
  @MaxLength(RECIPIENT_USER_ID_MAX_LENGTH)
  userID!: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(RECIPIENT_USER_NAME_MAX_LENGTH)
  userName!: string | null;

  @IsArray()
  @IsTag()
  tags!: string[];

  /** Contact-level user data. */
  @IsUserDataMap(false)
  userData!: Record<string, string | number | boolean>;

  @IsIn(RECIPIENT_STATUSES)
  status!: RecipientStatus;

  @IsIn(RECIPIENT_VERIFICATIONS)
  verification!: RecipientVerification;

  /**
   * When the contact began: this event's time for a contact seen for the first time or registered
   * anew after it was erased; for a deactivated one that comes back, the time it began before (the
   * read model's createdAt, whatever a reader could open of the events in between). Absent in
   * events recorded before it was added.
   */
  @IsOptional()
  @IsDateString()
  createdAt?: string;
}
