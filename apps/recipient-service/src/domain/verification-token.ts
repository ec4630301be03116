import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A verification token as stored: only its hash, and when it stops confirming. */
export interface StoredToken {
  hash: string;
  expiresAt: Date;
}

/** A freshly issued token: the secret itself travels once, in recipient.verification-requested. */
export interface IssuedToken extends StoredToken {
  token: string;
}

/** Issues a token when a rule asks for one (the domain decides when; the port decides how). */
export type TokenIssuer = () => IssuedToken;

/** Bytes of randomness in a token: 32 (256 bits), written as 43 base64url characters. */
export const VERIFICATION_TOKEN_BYTES = 32;

/** SHA-256 of the token, base64url: what the database holds instead of the token. */
export function hashVerificationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** A new single-use token valid for `ttlMinutes` from `now`. */
export function newVerificationToken(now: Date, ttlMinutes: number, random: Buffer = randomBytes(VERIFICATION_TOKEN_BYTES)): IssuedToken {
  const token = random.toString('base64url');
  return { token, hash: hashVerificationToken(token), expiresAt: new Date(now.getTime() + ttlMinutes * 60_000) };
}

/** Compare two token hashes in constant time. */
export function sameTokenHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
