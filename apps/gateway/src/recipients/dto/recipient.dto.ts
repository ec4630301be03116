import { OmitType } from '@nestjs/mapped-types';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AddRecipientTagsPayload, ConfirmRecipientPayload, RECIPIENT_ADDRESS_MAX_LENGTH, RecipientChanges } from '@omni/contracts';
import { IsRecipientAddress } from './recipient-address.validator';

/**
 * What POST /email, POST /sms and PUT /{email,sms}/{deviceID} may say besides the address: the
 * contract's RecipientChanges (language, region, country, timeZone, timeZoneOffset, userID,
 * userName, userData, tags, verify) with its rules and limits. Absent leaves a field as it is,
 * null clears it. The credential is the gateway's to fill in (a body's `credential` is dropped).
 */
export class RecipientChangesDto extends OmitType(RecipientChanges, ['credential'] as const) {}

/** POST /email (reference: EmailCreate), e.g. the article's `{"email": "myemail@domain.com", "userID": "U123456789", …}`. */
export class CreateEmailDto extends RecipientChangesDto {
  @IsString()
  @MaxLength(RECIPIENT_ADDRESS_MAX_LENGTH)
  @IsRecipientAddress('email')
  email!: string;
}

/** POST /sms (reference: SmsCreate): `phone` international (`+31…`, `0031…`), or national with `region`. */
export class CreateSmsDto extends RecipientChangesDto {
  @IsString()
  @MaxLength(RECIPIENT_ADDRESS_MAX_LENGTH)
  @IsRecipientAddress('sms')
  phone!: string;
}

/**
 * PUT /email/{deviceID}, PUT /sms/{deviceID} (reference: EmailUpdate, SmsUpdate). `subscriptionId`
 * (the address) may be sent but cannot change: the route checks it names this contact. The
 * reference's `dnd`, `latitude` and `longitude` are not part of a contact here and are ignored, so
 * a backend written against the reference keeps working.
 */
export class UpdateRecipientDto extends RecipientChangesDto {
  @IsOptional()
  @IsString()
  @MaxLength(RECIPIENT_ADDRESS_MAX_LENGTH)
  subscriptionId?: string;
}

/** PUT /{email,sms}/{deviceID}/addtags and /removetags: `{"tags": ["tag1", "tag2"]}`, 1 to 100 tags. */
export class RecipientTagsDto extends AddRecipientTagsPayload {}

/** PUT /{email,sms}/{deviceID}/confirm: the token the contact was sent. */
export class ConfirmRecipientDto extends ConfirmRecipientPayload {}
