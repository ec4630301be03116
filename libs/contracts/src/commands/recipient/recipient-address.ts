import { createHash } from 'node:crypto';
import isEmail from 'validator/lib/isEmail';
import { CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';
import { RECIPIENT_ADDRESS_MAX_LENGTH, RECIPIENT_NORMALISED_ADDRESS_MAX_LENGTH, RecipientChannel } from './recipient-fields';

/**
 * Addresses and recipient ids: pure functions shared by the gateway (which keys a command by the
 * recipient id before any service sees it) and the recipient-service (which checks it again).
 *
 * Addresses are personal data: never log them, log the recipient id instead.
 */

/**
 * An email address as the platform stores it: trimmed, Unicode NFC, domain lower-cased, local
 * part kept as sent (it is case-sensitive by RFC 5321; `+tag` sub-addresses stay). Undefined
 * when the syntax is not a deliverable address (validator's isEmail: a dotted domain with a TLD,
 * no IP literals, no display names).
 */
export function normaliseEmail(raw: string): string | undefined {
  if (typeof raw !== 'string' || raw.length > RECIPIENT_ADDRESS_MAX_LENGTH) return undefined;
  const trimmed = raw.trim().normalize('NFC');
  const at = trimmed.lastIndexOf('@');
  if (at <= 0) return undefined;
  const address = `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
  if (address.length > RECIPIENT_NORMALISED_ADDRESS_MAX_LENGTH) return undefined;
  return isEmail(address) ? address : undefined;
}

/** What a phone number may be written with: digits, spaces, dashes, dots, slashes, parentheses and a leading `+`. */
const PHONE_CHARACTERS = /^\+?[\d\s\-./()\u00a0]+$/;

/**
 * A phone number in E.164 (`+31612345678`): international forms (`+31 6 …`, `0031 6 …`) are
 * read as they are; a national form (`06 12345678`) needs `defaultRegion` (ISO 3166-1 alpha-2,
 * case-insensitive) and is undefined without it. Spaces, dashes, dots and parentheses are
 * ignored; letters, extensions and numbers whose length does not fit the country are refused
 * (undefined). Validity is libphonenumber's with its default (length-based) metadata.
 */
export function normalisePhone(raw: string, defaultRegion?: string | null): string | undefined {
  if (typeof raw !== 'string' || raw.length > 64) return undefined;
  const trimmed = raw.trim();
  if (!PHONE_CHARACTERS.test(trimmed)) return undefined;
  // `00` is the international call prefix almost everywhere: read it as `+`, with or without a region.
  const international = /^00\d/.test(trimmed) ? `+${trimmed.slice(2)}` : trimmed;
  const region = defaultRegion?.toUpperCase();
  const country = region && isSupportedCountry(region) ? (region as CountryCode) : undefined;
  if (!international.startsWith('+') && !country) return undefined;
  const parsed = parsePhoneNumberFromString(international, country);
  if (!parsed || !parsed.isValid()) return undefined;
  return parsed.number;
}

/** The address of a channel, normalised (`region` is the default country of a national phone number). */
export function normaliseRecipientAddress(channel: RecipientChannel, raw: string, region?: string | null): string | undefined {
  return channel === 'email' ? normaliseEmail(raw) : normalisePhone(raw, region);
}

/** Length of the hash part of a recipient id: 22 base64url characters = 132 bits of SHA-256. */
const RECIPIENT_ID_HASH_LENGTH = 22;

/** `email-` or `sms-` and 22 base64url characters. URL-safe as it is (`/email/{deviceID}`). */
export const RECIPIENT_ID_PATTERN = /^(email|sms)-[A-Za-z0-9_-]{22}$/;

/**
 * The id of the one recipient an application has for a channel and normalised address:
 * `<channel>-` + the first 22 characters of base64url(SHA-256(`<channel>:<normalisedAddress>`)),
 * e.g. `email-Xq2…`. Deterministic, so the gateway keys a command by it before the service sees
 * it, and every instance agrees; opaque, so ids can be logged and put in URLs and message keys
 * where an address must not be. It is a pseudonym, not anonymous: whoever can guess an address
 * can compute its id. Pass the NORMALISED address (`normaliseEmail`, `normalisePhone`).
 * WIRE FORMAT: changing it changes every recipient's id and needs a data migration.
 */
export function recipientId(channel: RecipientChannel, normalisedAddress: string): string {
  const hash = createHash('sha256').update(`${channel}:${normalisedAddress}`, 'utf8').digest('base64url');
  return `${channel}-${hash.slice(0, RECIPIENT_ID_HASH_LENGTH)}`;
}

/** The channel a recipient id belongs to, or undefined when it is not a recipient id. */
export function recipientIdChannel(id: string): RecipientChannel | undefined {
  const match = RECIPIENT_ID_PATTERN.exec(id);
  return match ? (match[1] as RecipientChannel) : undefined;
}
