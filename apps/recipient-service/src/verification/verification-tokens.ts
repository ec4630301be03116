import { IssuedToken, hashVerificationToken, newVerificationToken } from '../domain/verification-token';

/** The time, as the use cases see it (a port, so that unit tests fix it). */
export class Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * Issues verification tokens: 32 random bytes (base64url), valid for the configured time
 * (RECIPIENT_VERIFICATION_TTL_MINUTES), and hashes presented ones. Only hashes are stored.
 */
export class VerificationTokens {
  constructor(
    private readonly ttlMinutes: number,
    private readonly clock: Clock,
  ) {}

  issue(): IssuedToken {
    return newVerificationToken(this.clock.now(), this.ttlMinutes);
  }

  hash(token: string): string {
    return hashVerificationToken(token);
  }
}
