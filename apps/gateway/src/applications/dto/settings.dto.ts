import { OmitType } from '@nestjs/mapped-types';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, ValidateIf, ValidateNested } from 'class-validator';
import { ChannelLimits, USER_REGISTRATION_MODES, UserDataFieldDefinition, UserRegistrationMode } from '@omni/contracts';

/** PUT /application/settings: the given parts replace the current ones; omitted parts stay. */
export class PutSettingsDto {
  @IsOptional()
  @IsIn(USER_REGISTRATION_MODES)
  userRegistration?: UserRegistrationMode;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => UserDataFieldDefinition)
  userDataFields?: UserDataFieldDefinition[];

  /** The limits it names replace the current ones; the others stay. */
  @ValidateIf((_, value) => value !== undefined)
  @ValidateNested()
  @Type(() => ChannelLimits)
  channelLimits?: ChannelLimits;
}

/** PUT /application/userdatafields/{key}: everything but the key (it is in the path). */
export class PutUserDataFieldDto extends OmitType(UserDataFieldDefinition, ['key'] as const) {}
