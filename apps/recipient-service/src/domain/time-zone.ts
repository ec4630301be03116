import { RecipientProperties, isIanaTimeZone } from '@omni/contracts';

/**
 * Hours from UTC of an IANA time zone at `at` (DST included), e.g. 2 for Europe/Amsterdam in
 * summer, 5.5 for Asia/Kolkata; undefined for an unknown zone.
 */
export function timeZoneOffsetHours(timeZone: string, at: Date): number | undefined {
  if (!isIanaTimeZone(timeZone)) return undefined;
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  if (name === 'GMT') return 0;
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name ?? '');
  if (!match) return undefined;
  const hours = Number(match[2]) + Number(match[3]) / 60;
  return match[1] === '-' ? -hours : hours;
}

/**
 * The API's rule: "if no timeZoneOffset is given, the name of the time zone determines the
 * offset" — the offset at the time of the command. An explicit offset (or null) wins.
 */
export function withTimeZoneOffset<T extends RecipientProperties>(properties: T, at: Date): T {
  if (properties.timeZoneOffset !== undefined || typeof properties.timeZone !== 'string') return properties;
  const offset = timeZoneOffsetHours(properties.timeZone, at);
  return offset === undefined ? properties : { ...properties, timeZoneOffset: offset };
}
