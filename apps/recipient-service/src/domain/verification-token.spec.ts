import { hashVerificationToken, newVerificationToken, sameTokenHash } from './verification-token';

describe('verification tokens', () => {
  const now = new Date('2025-06-01T12:00:00.000Z');

  it('a new token is 32 random bytes in base64url (43 URL-safe characters), expiring after the given minutes', () => {
    const issued = newVerificationToken(now, 1440);

    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(issued.token, 'base64url')).toHaveLength(32);
    expect(issued.expiresAt.toISOString()).toBe('2025-06-02T12:00:00.000Z');
    expect(issued.hash).toBe(hashVerificationToken(issued.token));
    expect(issued.hash).not.toContain(issued.token);
  });

  it('two tokens are never the same', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => newVerificationToken(now, 1).token));
    expect(tokens.size).toBe(50);
  });

  it('the hash is SHA-256 in base64url, and compares equal only to itself', () => {
    expect(hashVerificationToken('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(sameTokenHash(hashVerificationToken('abc'), hashVerificationToken('abc'))).toBe(true);
    expect(sameTokenHash(hashVerificationToken('abc'), hashVerificationToken('abd'))).toBe(false);
    expect(sameTokenHash('short', hashVerificationToken('abc'))).toBe(false);
  });
});
