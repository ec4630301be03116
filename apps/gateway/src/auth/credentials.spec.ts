import { SecretHasher, isApplicationKey, newApplicationKey, newSecret, parseBasic } from './credentials';

const URL_SAFE = /^[A-Za-z0-9_-]+$/;

function basic(userAndPassword: string): string {
  return `Basic ${Buffer.from(userAndPassword, 'utf8').toString('base64')}`;
}

describe('SecretHasher', () => {
  const hasher = new SecretHasher('server-hash-key-0123456789abcdef');
  const secret = 'c2VjcmV0LW9mLXRoZS1hcHBsaWNhdGlvbi0xMjM0NTY';

  it('matches the secret its hash was made from', () => {
    expect(hasher.matches(secret, hasher.hash(secret))).toBe(true);
  });

  it('does not match a wrong secret', () => {
    const stored = hasher.hash(secret);
    expect(hasher.matches(`${secret}x`, stored)).toBe(false);
    expect(hasher.matches(secret.slice(0, -1), stored)).toBe(false);
    expect(hasher.matches('', stored)).toBe(false);
  });

  it('does not match a hash made with another server key', () => {
    const otherKey = new SecretHasher('another-hash-key-0123456789abcdef');
    expect(hasher.matches(secret, otherKey.hash(secret))).toBe(false);
  });

  it('refuses a stored hash of the wrong length instead of throwing', () => {
    const stored = hasher.hash(secret);
    expect(hasher.matches(secret, stored.subarray(0, 16))).toBe(false);
    expect(hasher.matches(secret, Buffer.alloc(0))).toBe(false);
  });

  it('hashes as HMAC-SHA256 keyed with the UTF-8 bytes of the server key, so hashes stored before stay valid', () => {
    expect(hasher.hash(secret).toString('hex')).toBe('3639e1380d5efb8384f56ce2109ce7905a0b01705fea16827272c0248c2e8fa3');
    expect(new SecretHasher('clé-du-serveur-ü-0123456789').hash('sécret').toString('hex')).toBe(
      '5a3a563d40cc087170f76d2363ad1c0f5a5d37ccef9df95be8456e5f531030f7',
    );
  });

  it('hashes deterministically to a 32-byte HMAC-SHA256 that differs from the secret', () => {
    const hash = hasher.hash(secret);
    expect(hash).toHaveLength(32);
    expect(hasher.hash(secret).equals(hash)).toBe(true);
    expect(hash.toString('utf8')).not.toContain(secret);
  });
});

describe('parseBasic', () => {
  it('parses "Basic base64(key:secret)" into user and password', () => {
    expect(parseBasic(basic('app-key:app-secret'))).toEqual({ user: 'app-key', password: 'app-secret' });
  });

  it('keeps every colon after the first in the password', () => {
    expect(parseBasic(basic('app-key:se:cr:et:'))).toEqual({ user: 'app-key', password: 'se:cr:et:' });
  });

  it('accepts the scheme in any case and surrounding whitespace after the token', () => {
    const token = Buffer.from('admin:pw', 'utf8').toString('base64');
    expect(parseBasic(`basic ${token}`)).toEqual({ user: 'admin', password: 'pw' });
    expect(parseBasic(`BASIC   ${token}  `)).toEqual({ user: 'admin', password: 'pw' });
  });

  it('accepts url-safe base64 as well', () => {
    // "key:?>?" encodes with "/" in standard base64 and "_" in url-safe base64.
    const standard = Buffer.from('key:?>?', 'utf8').toString('base64');
    const urlSafe = Buffer.from('key:?>?', 'utf8').toString('base64url');
    expect(standard).not.toBe(urlSafe);
    expect(parseBasic(`Basic ${urlSafe}`)).toEqual({ user: 'key', password: '?>?' });
  });

  it('allows an empty password (it then simply will not match)', () => {
    expect(parseBasic(basic('app-key:'))).toEqual({ user: 'app-key', password: '' });
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['another scheme', `Bearer ${Buffer.from('app-key:secret').toString('base64')}`],
    ['the scheme without credentials', 'Basic'],
    ['the scheme followed by spaces only', 'Basic    '],
    ['characters that are not base64', 'Basic !!not*base64!!'],
    ['two tokens', `Basic ${Buffer.from('a:b').toString('base64')} ${Buffer.from('c:d').toString('base64')}`],
    ['an empty user', basic(':secret')],
    ['only a colon', basic(':')],
    ['no colon', basic('app-key-and-secret')],
  ])('returns undefined for %s', (_case, header) => {
    expect(parseBasic(header)).toBeUndefined();
  });
});

describe('newSecret and newApplicationKey', () => {
  it('newSecret gives a distinct url-safe 256-bit secret every call', () => {
    const secrets = Array.from({ length: 200 }, () => newSecret());

    expect(new Set(secrets).size).toBe(secrets.length);
    for (const secret of secrets) {
      expect(secret).toMatch(URL_SAFE);
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('newApplicationKey gives a distinct url-safe 160-bit key every call, never starting with "-"', () => {
    // A base64url key starts with "-" about once in 64 and then reads as an option on a command line.
    const keys = Array.from({ length: 2_000 }, () => newApplicationKey());

    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) {
      expect(key).toMatch(URL_SAFE);
      expect(key).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it('a generated key and secret survive a Basic header round trip', () => {
    const key = newApplicationKey();
    const secret = newSecret();
    expect(parseBasic(basic(`${key}:${secret}`))).toEqual({ user: key, password: secret });
  });
});

describe('isApplicationKey', () => {
  it('accepts the keys the registry issues (hex) and issued before (base64url)', () => {
    expect(isApplicationKey(newApplicationKey())).toBe(true);
    expect(isApplicationKey('In-EzY3_vQb2cW4kq0yZs1xXn7A')).toBe(true);
  });

  // Found by the gateway fuzzer: "admin\u0000" as the Basic user reached PostgreSQL and answered 500.
  it('refuses what cannot be a key before it reaches the database: NUL, controls, non-ASCII, SQL, huge', () => {
    for (const value of ['', 'admin\u0000', '\u0000', 'a b', 'clé', "'; drop table users; --", '../x', 'k'.repeat(129), '\uD800']) {
      expect([value, isApplicationKey(value)]).toEqual([value, false]);
    }
  });
});
