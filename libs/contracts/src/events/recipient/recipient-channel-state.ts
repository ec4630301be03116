import { Type } from 'class-transformer';
import { IsArray, IsDateString, IsIn, IsObject, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { IsTag } from '../../commands/device/device-fields';
import { IsUserDataMap } from '../../user-data';
import {
  RECIPIENT_CHANNELS,
  RECIPIENT_NORMALISED_ADDRESS_MAX_LENGTH,
  RECIPIENT_STATUSES,
  RECIPIENT_VERIFICATIONS,
  RecipientChannel,
  RecipientProperties,
  RecipientStatus,
  RecipientVerification,
} from '../../commands/recipient/recipient-fields';

/**
 * Everything an email contact or SMS number is at an event's version but its user: what an event
 * that changes the contact's owner carries (`state`), sealed with the key of its new owner (in
 * clear for a contact of nobody, like every anonymous channel's data). A channel's personal data
 * belongs to its current subject: a reader rebuilds the contact from it, whatever it could open of
 * the events before, which were sealed for an owner it may no longer have (ADR 0009).
 */
export class RecipientChannelState {
  @IsIn(RECIPIENT_CHANNELS)
  channel!: RecipientChannel;

  /** The normalised address. */
  @IsString()
  @MinLength(1)
  @MaxLength(RECIPIENT_NORMALISED_ADDRESS_MAX_LENGTH)
  address!: string;

  /** Only the properties that are set. */
  @IsObject()
  @ValidateNested()
  @Type(() => RecipientProperties)
  properties!: RecipientProperties;

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
   * When the contact began: the time of its first recipient.registered, or of the one that
   * registered it anew after it was erased (the read model's createdAt). Absent when the service
   * does not know it.
   */
  @IsOptional()
  @IsDateString()
  createdAt?: string;
}
