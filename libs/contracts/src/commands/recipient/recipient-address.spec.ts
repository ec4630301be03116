import { RECIPIENT_ID_PATTERN, normaliseEmail, normalisePhone, normaliseRecipientAddress, recipientId, recipientIdChannel } from './recipient-address';
import { isIanaTimeZone, isKnownRegion } from './recipient-fields';

describe('normaliseEmail', () => {
  it.each([
    ['the article address as it is', 'myemail@domain.com', 'myemail@domain.com'],
    ['a mixed-case domain, lower-cased', 'myemail@DOMAIN.Com', 'myemail@domain.com'],
    ['surrounding spaces, tabs and newlines, trimmed', ' \t myemail@domain.com \n', 'myemail@domain.com'],
    ['a mixed-case local part, kept as sent (it is case-sensitive)', 'John.Doe@Example.COM', 'John.Doe@example.com'],
    ['plus-addressing, kept', 'john+newsletter@gmail.com', 'john+newsletter@gmail.com'],
    ['a subdomain and a long TLD', 'ops@mail.eu.example.photography', 'ops@mail.eu.example.photography'],
    ['an internationalised domain, lower-cased', 'jan@MÜNCHEN.de', 'jan@münchen.de'],
    ['a decomposed Unicode address, composed (NFC)', 'jose\u0301@example.com', 'josé@example.com'],
  ])('accepts %s', (_case, raw, expected) => {
    expect(normaliseEmail(raw)).toBe(expected);
  });

  it.each([
    ['no @', 'myemail.domain.com'],
    ['an empty local part', '@domain.com'],
    ['an empty domain', 'myemail@'],
    ['a domain without a dot', 'myemail@localhost'],
    ['two @', 'my@email@domain.com'],
    ['a space inside', 'my email@domain.com'],
    ['consecutive dots', 'my..email@domain.com'],
    ['a trailing dot in the domain', 'myemail@domain.com.'],
    ['an IP literal', 'myemail@[192.168.0.1]'],
    ['a display name', 'John <myemail@domain.com>'],
    ['an empty string', ''],
    ['only spaces', '   '],
    ['a local part over 64 characters', `${'x'.repeat(65)}@domain.com`],
    ['an address over 254 characters', `me@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`],
  ])('refuses %s', (_case, raw) => {
    expect(normaliseEmail(raw)).toBeUndefined();
  });

  it('is idempotent: a normalised address normalises to itself', () => {
    for (const raw of ['  Ada.Lovelace+x@Example.ORG ', 'a@b.co']) {
      const once = normaliseEmail(raw)!;
      expect(normaliseEmail(once)).toBe(once);
    }
  });
});

describe('normalisePhone', () => {
  it.each([
    ['the article number (NL, international)', '+31123456789', undefined, '+31123456789'],
    ['NL mobile, international with spaces', '+31 6 12 34 56 78', undefined, '+31612345678'],
    ['NL mobile, national with region NL', '06-12345678', 'NL', '+31612345678'],
    ['NL mobile, 00 prefix without region', '0031612345678', undefined, '+31612345678'],
    ['NL mobile, 00 prefix with spaces and region', '00 31 6 1234 5678', 'NL', '+31612345678'],
    ['NL landline, (0) trunk written inside the international form', '+31 (0)20 123 4567', undefined, '+31201234567'],
    ['US, national with parentheses and dashes', '(212) 555-0123', 'US', '+12125550123'],
    ['US, international with dots', '+1.212.555.0123', undefined, '+12125550123'],
    ['US, 00 prefix from abroad', '001 212 555 0123', 'NL', '+12125550123'],
    ['GB London, national', '020 7946 0958', 'GB', '+442079460958'],
    ['GB mobile, national', '07911 123456', 'gb', '+447911123456'],
    ['GB mobile, international', '+44 7911 123456', undefined, '+447911123456'],
    ['DE Berlin, national with slash', '030/1234567', 'DE', '+49301234567'],
    ['DE mobile, international', '+49 151 23456789', undefined, '+4915123456789'],
    ['BR São Paulo mobile, national', '(11) 91234-5678', 'BR', '+5511912345678'],
    ['BR mobile, international', '+55 11 91234-5678', undefined, '+5511912345678'],
    ['an international number while the region is another country', '+44 7911 123456', 'NL', '+447911123456'],
  ])('reads %s', (_case, raw, region, expected) => {
    expect(normalisePhone(raw, region)).toBe(expected);
  });

  it.each([
    ['a national number without a region', '0612345678', undefined],
    ['a national number with a null region', '0612345678', null],
    ['a national number with an unknown region', '0612345678', 'XX'],
    ['a number too short for its country', '+31 6 1234', undefined],
    ['a number too long for its country', '+31 6 1234 5678 90', undefined],
    ['an unassigned country code', '+999 123456', undefined],
    ['a US number in an unused area code', '+1 555 555 5555', undefined],
    ['letters', '+31 6 CALL ME', undefined],
    ['text around the number', 'tel:+31612345678', undefined],
    ['an extension', '+31 6 12345678 ext. 12', undefined],
    ['a plus in the middle', '31+612345678', undefined],
    ['an empty string', '', 'NL'],
    ['only punctuation', '(--)', 'NL'],
  ])('refuses %s', (_case, raw, region) => {
    expect(normalisePhone(raw, region)).toBeUndefined();
  });

  it('is idempotent: an E.164 number normalises to itself, whatever the region', () => {
    expect(normalisePhone('+31612345678')).toBe('+31612345678');
    expect(normalisePhone('+31612345678', 'US')).toBe('+31612345678');
  });
});

describe('normaliseRecipientAddress', () => {
  it('normalises by channel, the region only reading phone numbers', () => {
    expect(normaliseRecipientAddress('email', ' me@DOMAIN.com', 'NL')).toBe('me@domain.com');
    expect(normaliseRecipientAddress('sms', '06 12345678', 'NL')).toBe('+31612345678');
    expect(normaliseRecipientAddress('sms', 'me@domain.com', 'NL')).toBeUndefined();
    expect(normaliseRecipientAddress('email', '+31612345678')).toBeUndefined();
  });
});

describe('recipientId', () => {
  it('is deterministic, channel-prefixed, URL-safe and opaque (the address does not show)', () => {
    const id = recipientId('email', 'myemail@domain.com');

    expect(recipientId('email', 'myemail@domain.com')).toBe(id);
    expect(id).toMatch(RECIPIENT_ID_PATTERN);
    expect(id).toMatch(/^email-[A-Za-z0-9_-]{22}$/);
    expect(encodeURIComponent(id)).toBe(id);
    expect(id).not.toContain('myemail');
    expect(recipientId('sms', '+31612345678')).toMatch(/^sms-[A-Za-z0-9_-]{22}$/);
  });

  it('is a stable wire format: SHA-256 of "<channel>:<address>", base64url, first 22 characters', () => {
    // Pinned: a change here changes every stored recipient's id.
    expect(recipientId('email', 'myemail@domain.com')).toBe('email-Zf_QxuYgvh6hXCsdC7ht2Z');
    expect(recipientId('sms', '+31123456789')).toBe('sms-OR11cwTLsI8DKC7RkqC-ET');
  });

  it('gives every spelling of one address the same id once normalised, and different addresses or channels different ids', () => {
    const ids = ['myemail@domain.com', ' myemail@DOMAIN.COM ', 'myemail@Domain.com\n'].map((raw) => recipientId('email', normaliseEmail(raw)!));
    expect(new Set(ids).size).toBe(1);
    expect(recipientId('email', 'Myemail@domain.com')).not.toBe(ids[0]);
    expect(recipientId('sms', 'myemail@domain.com')).not.toBe(ids[0]);

    const phones = ['+31 6 12345678', '0031612345678', '06-1234 5678'].map((raw) => recipientId('sms', normalisePhone(raw, 'NL')!));
    expect(new Set(phones).size).toBe(1);
  });

  it('tells the channel of an id, and nothing of a string that is not one', () => {
    expect(recipientIdChannel(recipientId('sms', '+31612345678'))).toBe('sms');
    expect(recipientIdChannel(recipientId('email', 'a@b.co'))).toBe('email');
    expect(recipientIdChannel('myemail@domain.com')).toBeUndefined();
    expect(recipientIdChannel('push-Zm0qoCOCcuDfqwL2gTbQNA')).toBeUndefined();
  });
});

describe('isKnownRegion and isIanaTimeZone', () => {
  it('knows ISO 3166-1 alpha-2 countries libphonenumber supports, in any case', () => {
    expect(['NL', 'nl', 'US', 'GB', 'DE', 'BR'].every(isKnownRegion)).toBe(true);
    expect(['XX', 'UK', 'NLD', 'N', '', 'Netherlands', 12].some(isKnownRegion)).toBe(false);
  });

  it('knows IANA time zones', () => {
    expect(['Europe/Amsterdam', 'America/Sao_Paulo', 'UTC', 'Asia/Kolkata'].every(isIanaTimeZone)).toBe(true);
    expect(['Europe/Nowhere', 'GMT+25', '', 'Amsterdam', null].some(isIanaTimeZone)).toBe(false);
  });
});
