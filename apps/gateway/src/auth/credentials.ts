import { KeyObject, createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Application credentials. Secrets are 256-bit random strings, so a fast keyed hash (HMAC-SHA256
 * with a server key) is as safe to store as a slow password hash and costs microseconds per
 * request. Comparison is constant-time.
 */
export class SecretHasher {
  /** Imported once: an HMAC keyed with a string imports the key again on every call (most of its cost). */
  private readonly key: KeyObject;

  constructor(key: string) {
    this.key = createSecretKey(Buffer.from(key, 'utf8'));
  }

  hash(secret: string): Buffer {
    return createHmac('sha256', this.key).update(secret, 'utf8').digest();
  }

  matches(secret: string, storedHash: Buffer): boolean {
    const candidate = this.hash(secret);
    return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
  }
}

/**
 * Keys and secrets are lower-case hex: URL- and header-safe, and never starting with `-`, which a
 * shell or the CLI would read as an option (about one base64url string in 64 does).
 */
export function newApplicationKey(): string {
  return randomBytes(20).toString('hex');
}

/**
 * Whether a string can be an application key at all: hex today, base64url for applications made
 * before keys were hex. Anything else (NUL, other control or non-ASCII characters, kilobytes of
 * text) names no application and is refused before it reaches the cache or the database, which
 * cannot even compare a string holding NUL.
 */
export function isApplicationKey(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,128}$/.test(value);
}

export function newSecret(): string {
  return randomBytes(32).toString('hex');
}

export interface BasicCredentials {
  user: string;
  password: string;
}

/** Parse an `Authorization: Basic …` header. Undefined when absent or malformed. */
export function parseBasic(header: string | undefined): BasicCredentials | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
