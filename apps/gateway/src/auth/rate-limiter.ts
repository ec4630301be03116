/**
 * Per-application token buckets: each application may make `perSecond` requests a second on
 * this gateway instance, with bursts up to `burst`. In memory, per instance: with N gateways
 * behind a load balancer an application gets up to N times the rate (size the setting for that).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; refilledAt: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.perSecond > 0;
  }

  /** Take one token; when none is left, the seconds until one is (for `Retry-After`). */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    if (!this.enabled) return { allowed: true };
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, refilledAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.refilledAt) / 1000) * this.perSecond);
    bucket.refilledAt = now;
    if (this.buckets.size > 100_000) this.buckets.clear();
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond)) };
  }
}

export const RATE_LIMITER = Symbol('RATE_LIMITER');
