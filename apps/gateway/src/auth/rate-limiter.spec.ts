import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the seconds until the next token, then refills with time', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    expect([1, 2, 3].map(() => limiter.take('app').allowed)).toEqual([true, true, true]);
    expect(limiter.take('app')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 500; // one token back at 2 per second
    expect(limiter.take('app').allowed).toBe(true);
    expect(limiter.take('app').allowed).toBe(false);
  });

  it('keeps one bucket per application: one noisy tenant does not limit another', () => {
    const limiter = new RateLimiter(1, 1, () => 0);
    expect(limiter.take('noisy').allowed).toBe(true);
    expect(limiter.take('noisy').allowed).toBe(false);
    expect(limiter.take('quiet').allowed).toBe(true);
  });

  it('is off when the rate is 0', () => {
    const limiter = new RateLimiter(0, 0, () => 0);
    expect(Array.from({ length: 100 }, () => limiter.take('app').allowed).every(Boolean)).toBe(true);
  });
});
