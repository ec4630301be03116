import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

export const USER_REGISTRATION_MODES = ['sdk', 'api'] as const;
export type UserRegistrationMode = (typeof USER_REGISTRATION_MODES)[number];

export const USER_DATA_FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'enum'] as const;
export type UserDataFieldType = (typeof USER_DATA_FIELD_TYPES)[number];

/** A user data field key: what messages use as a placeholder (`{{firstName}}`). */
export const USER_DATA_FIELD_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** One user data field the application defines (e.g. firstName: text, birthdate: date). */
export class UserDataFieldDefinition {
  @IsString()
  @Matches(USER_DATA_FIELD_KEY, { message: 'key must start with a letter and hold letters, digits or _ (1-64)' })
  key!: string;

  @IsString()
  @MaxLength(128)
  label!: string;

  @IsIn(USER_DATA_FIELD_TYPES)
  type!: UserDataFieldType;

  /** The allowed values of an `enum` field ("one of a list"). */
  @ValidateIf((field: UserDataFieldDefinition) => field.type === 'enum' || field.values !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(256, { each: true })
  values?: string[];

  @IsOptional()
  @IsBoolean()
  required?: boolean;
}

/** The most a configured channel limit may be: a profile stays a bounded document. */
export const MAX_CHANNELS_PER_USER = 200;

/**
 * How many active channels of each kind one user may hold: push devices (device-service), email
 * contacts and SMS numbers together (recipient-service). A write that would attach one more is
 * refused (409 CHANNEL_LIMIT_REACHED); what a user already holds stays. Omitted: the defaults.
 */
export class ChannelLimits {
  // Omitted, not null: a null limit would refuse every attach.
  @ValidateIf((_, value) => value !== undefined)
  @IsInt()
  @Min(1)
  @Max(MAX_CHANNELS_PER_USER)
  devicesPerUser?: number;

  @ValidateIf((_, value) => value !== undefined)
  @IsInt()
  @Min(1)
  @Max(MAX_CHANNELS_PER_USER)
  contactsPerUser?: number;
}

export const DEFAULT_CHANNEL_LIMITS: Required<ChannelLimits> = { devicesPerUser: 20, contactsPerUser: 20 };

/** The limits in force: the application's (with `change` applied), each one it did not set at its default. */
export function channelLimitsOf(settings: Pick<ApplicationSettings, 'channelLimits'>, change?: ChannelLimits): Required<ChannelLimits> {
  return { ...DEFAULT_CHANNEL_LIMITS, ...setOnly(settings.channelLimits), ...setOnly(change) };
}

function setOnly<T extends object>(value: T | null | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, each]) => each !== undefined && each !== null)) as Partial<T>;
}

/** The whole settings document of an application. Always sent whole, so nobody applies half of it. */
export class ApplicationSettings {
  /** `api`: only master-secret calls may attach devices to users or change a user's profile. */
  @IsIn(USER_REGISTRATION_MODES)
  userRegistration!: UserRegistrationMode;

  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => UserDataFieldDefinition)
  userDataFields!: UserDataFieldDefinition[];

  /** Absent in settings written before limits existed: the defaults apply (channelLimitsOf). */
  @ValidateIf((_, value) => value !== undefined)
  @ValidateNested()
  @Type(() => ChannelLimits)
  channelLimits?: ChannelLimits;
}

export const DEFAULT_APPLICATION_SETTINGS: ApplicationSettings = { userRegistration: 'sdk', userDataFields: [] };
