import 'reflect-metadata';
import { isSupportedCountry } from 'libphonenumber-js';
import { IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy, ValidationOptions } from 'class-validator';

/**
 * What recipient messages share: channels, lifecycle values, the properties an email contact or
 * SMS number carries, and their rules. Wire names: changing one is a contract change.
 *
 * User data maps and command credentials come from `../../user-data` (shared by every channel),
 * tags (`IsTag`, `TAGS_PER_COMMAND_MAX`) from `../device/device-fields` — relative imports, as a
 * library cannot import its own index; apps import everything from '@omni/contracts'.
 */

/** The recipient channels: an email contact or an SMS number (the API's `email` and `sms` media). */
export const RECIPIENT_CHANNELS = ['email', 'sms'] as const;
export type RecipientChannel = (typeof RECIPIENT_CHANNELS)[number];

/** `active`: a usable channel. `inactive`: deactivated, or waiting for its verification to be confirmed. */
export const RECIPIENT_STATUSES = ['active', 'inactive'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

/** `pending`: a verification token was sent and not yet confirmed; `verified`: confirmed once; `none`: never asked. */
export const RECIPIENT_VERIFICATIONS = ['none', 'pending', 'verified'] as const;
export type RecipientVerification = (typeof RECIPIENT_VERIFICATIONS)[number];

/** Longest address as sent (before normalisation; leaves room for spaces and formatting). */
export const RECIPIENT_ADDRESS_MAX_LENGTH = 320;
/** Longest normalised email address (RFC 5321 path limit); an E.164 number is at most 16 characters. */
export const RECIPIENT_NORMALISED_ADDRESS_MAX_LENGTH = 254;
export const RECIPIENT_USER_ID_MAX_LENGTH = 256;
export const RECIPIENT_USER_NAME_MAX_LENGTH = 256;
/** Longest verification token accepted in recipient.confirm (issued tokens are 43 characters). */
export const VERIFICATION_TOKEN_MAX_LENGTH = 256;

/** An ISO 3166-1 alpha-2 country code that libphonenumber knows (case-insensitive: `nl` is NL). */
export function isKnownRegion(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z]{2}$/.test(value) && isSupportedCountry(value.toUpperCase());
}

/** An IANA time zone name the runtime knows (`Europe/Amsterdam`, `UTC`). */
export function isIanaTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** A region or country: an ISO 3166-1 alpha-2 code known to libphonenumber. The message never echoes the value. */
export function IsRegionCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRegionCode',
      validator: {
        validate: (value: unknown) => isKnownRegion(value),
        defaultMessage: (args) => `${args?.property ?? 'region'} must be an ISO 3166-1 alpha-2 country code such as "NL"`,
      },
    },
    options,
  );
}

export function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimeZone',
      validator: {
        validate: (value: unknown) => isIanaTimeZone(value),
        defaultMessage: (args) => `${args?.property ?? 'timeZone'} must be an IANA time zone such as "Europe/Amsterdam"`,
      },
    },
    options,
  );
}

/**
 * What an email contact or SMS number says about its person (POST /email, /sms and their PUT).
 * Every field is optional: absent leaves it as it is, null clears it.
 */
export class RecipientProperties {
  /** Language tag, e.g. `nl` or `en-US`. */
  @IsOptional()
  @IsString()
  @MaxLength(35)
  @Matches(/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/, { message: 'language must be a language tag such as "en" or "en-US"' })
  language?: string | null;

  /** Region, ISO 3166-1 alpha-2 (stored upper-case); also the default country of a national phone number. */
  @IsOptional()
  @IsRegionCode()
  region?: string | null;

  /** The country the contact is in, ISO 3166-1 alpha-2 (stored upper-case). */
  @IsOptional()
  @IsRegionCode()
  country?: string | null;

  /** IANA time zone; when no timeZoneOffset is given, the offset is taken from it at the time of the command. */
  @IsOptional()
  @IsTimeZone()
  timeZone?: string | null;

  /** Hours from UTC, within ±14 (fractions for zones such as +5.5). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-14)
  @Max(14)
  timeZoneOffset?: number | null;
}

export type RecipientPropertyKey = keyof RecipientProperties;

export const RECIPIENT_PROPERTY_KEYS = [
  'language',
  'region',
  'country',
  'timeZone',
  'timeZoneOffset',
] as const satisfies readonly RecipientPropertyKey[];
