import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsTag, TAGS_PER_COMMAND_MAX } from '../device/device-fields';
import { COMMAND_CREDENTIALS, CommandCredential, IsUserDataMap, UserDataMap } from '../../user-data';
import {
  RECIPIENT_ADDRESS_MAX_LENGTH,
  RECIPIENT_CHANNELS,
  RECIPIENT_NORMALISED_ADDRESS_MAX_LENGTH,
  RECIPIENT_USER_ID_MAX_LENGTH,
  RECIPIENT_USER_NAME_MAX_LENGTH,
  RecipientChannel,
  RecipientProperties,
} from './recipient-fields';

export const REGISTER_RECIPIENT = 'recipient.register';

/**
 * What POST /email and POST /sms and their PUT /{email,sms}/{deviceID} may say besides the
 * address. Absent leaves a field as it is, null clears it.
 */
export class RecipientChanges extends RecipientProperties {
  /**
   * Absent: the contact keeps its user. A string: the contact belongs to that user (moving from
   * its previous one). Null: the contact no longer belongs to a user.
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(RECIPIENT_USER_ID_MAX_LENGTH)
  userID?: string | null;

  /** Only read together with a userID (absent = null). */
  @IsOptional()
  @IsString()
  @MaxLength(RECIPIENT_USER_NAME_MAX_LENGTH)
  userName?: string | null;

  /**
   * Contact-level user data: the given fields replace their values, null clears a field, the
   * others stay. Keys and types are checked against the application's user data fields.
   */
  @IsOptional()
  @IsUserDataMap(true)
  userData?: UserDataMap;

  /** Tags to add (tags the contact has stay once; remove them with remove-tags or clear-tags). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(TAGS_PER_COMMAND_MAX)
  @IsTag()
  tags?: string[];

  /**
   * True: the contact is not an active channel until the token of a recipient.verification-requested
   * event is confirmed (recipient.confirm). Applies to a new or deactivated contact, and to one
   * still pending (a new token replaces the old one); an active contact stays active.
   */
  @IsOptional()
  @IsBoolean()
  verify?: boolean;

  /** Filled in by the gateway; absent counts as `sdk` (the restricted one). */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}

/**
 * Register an email contact or SMS number (POST /email, POST /sms): one contact per
 * (application, channel, normalised address). An address the application has already is the
 * same contact: it is updated (and reactivated when it was deactivated), never doubled.
 * Topic: recipient.commands, aggregate: `recipientId(channel, normalisedAddress)`.
 * The payload holds personal data: logs never print payloads.
 */
export class RegisterRecipientPayload extends RecipientChanges {
  @IsIn(RECIPIENT_CHANNELS)
  channel!: RecipientChannel;

  /** The address as the client sent it (`email` or `phone` of the API body). */
  @IsString()
  @MinLength(1)
  @MaxLength(RECIPIENT_ADDRESS_MAX_LENGTH)
  address!: string;

  /**
   * The address as the gateway normalised it (`normaliseEmail`, or `normalisePhone` with `region`),
   * from which it computed the aggregate id. The service normalises `address` again and refuses a
   * command where either differs.
   */
  @IsString()
  @MinLength(1)
  @MaxLength(RECIPIENT_NORMALISED_ADDRESS_MAX_LENGTH)
  normalisedAddress!: string;
}
