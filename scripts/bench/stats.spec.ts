import { drainedAfter, latencyOverTime, median, percentile, perSecondCounts, ratio, statusCounts, summarizeLatency, sustainedRate } from './stats';

describe('benchmark statistics', () => {
  it('percentiles follow the nearest-rank method', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1); // 1..100
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    // The smallest value with at least p % of the values at or below it.
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
  });

  it('a percentile does not depend on the order of the values', () => {
    expect(percentile([5, 1, 4, 2, 3], 60)).toBe(3);
    expect(percentile([3, 2, 4, 1, 5], 60)).toBe(3);
  });

  it('a percentile of nothing is NaN, and a percentile outside (0, 100] is refused', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('the median of an even count is the mean of the two middle values', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it('a latency summary gives count, mean, p50, p95, p99 and max', () => {
    const summary = summarizeLatency([10, 20, 30, 40, 1000]);
    expect(summary).toEqual({ count: 5, mean: 220, p50: 30, p95: 1000, p99: 1000, max: 1000 });
    expect(summarizeLatency([]).count).toBe(0);
  });

  it('answers are counted in the whole second they arrived in, answers after the phase left out', () => {
    const counts = perSecondCounts([{ atMs: 0 }, { atMs: 999 }, { atMs: 1000 }, { atMs: 2500 }, { atMs: 3000 }, { atMs: -1 }], 3);
    expect(counts).toEqual([2, 1, 1]);
  });

  it('the sustained rate is the median per-second count after the ramp-up seconds', () => {
    // 1 answer in second 0 (ramp-up), then 10, 12, 100, 11 per second.
    const samples = [
      { atMs: 10 },
      ...Array.from({ length: 10 }, () => ({ atMs: 1_500 })),
      ...Array.from({ length: 12 }, () => ({ atMs: 2_500 })),
      ...Array.from({ length: 100 }, () => ({ atMs: 3_500 })),
      ...Array.from({ length: 11 }, () => ({ atMs: 4_500 })),
    ];
    const rate = sustainedRate(samples, 5, 1);
    expect(rate.perSecond).toEqual([10, 12, 100, 11]);
    expect(rate.median).toBe(11.5); // one burst second does not move it
    expect(rate.mean).toBe(133 / 4);
  });

  it('a phase shorter than its ramp-up still keeps its last second', () => {
    expect(sustainedRate([{ atMs: 500 }], 1, 2).perSecond).toEqual([1]);
  });

  it('latency over time has one point per second with its p50 and p99', () => {
    const samples = [
      ...[1, 2, 3, 4].map((latencyMs) => ({ atMs: 100, latencyMs, kind: 'x', status: 200 })),
      { atMs: 1_100, latencyMs: 50, kind: 'x', status: 200 },
    ];
    const points = latencyOverTime(samples, 3);
    expect(points[0]).toEqual({ second: 0, count: 4, p50: 2, p99: 4 });
    expect(points[1]).toEqual({ second: 1, count: 1, p50: 50, p99: 50 });
    expect(points[2].count).toBe(0);
    expect(points[2].p50).toBeNaN();
  });

  it('a ratio is null when a side is unknown or the whole is not positive', () => {
    expect(ratio(500, 2_000)).toBe(0.25);
    expect(ratio(null, 2_000)).toBeNull();
    expect(ratio(500, undefined)).toBeNull();
    expect(ratio(500, 0)).toBeNull();
    expect(ratio(Number.NaN, 10)).toBeNull();
  });

  it('statuses are counted per call', () => {
    expect(
      statusCounts([
        { kind: 'add-email', status: 201 },
        { kind: 'add-email', status: 201 },
        { kind: 'add-email', status: 400 },
        { kind: 'profile-read', status: 200 },
      ]),
    ).toEqual({ 'add-email': { 201: 2, 400: 1 }, 'profile-read': { 200: 1 } });
  });

  it('a backlog is drained from the first zero that every later reading keeps', () => {
    const readings = [
      { atMs: 0, value: 50 },
      { atMs: 5_000, value: 80 },
      { atMs: 6_000, value: 0 }, // a momentary zero
      { atMs: 6_500, value: 3 },
      { atMs: 8_000, value: 0 },
      { atMs: 8_500, value: 0 },
    ];
    expect(drainedAfter(readings, 5_000)).toBe(3);
    expect(drainedAfter(readings.slice(0, 4), 5_000)).toBeNull(); // last reading not zero
    expect(drainedAfter([{ atMs: 5_000, value: 0 }], 5_000)).toBe(0);
    expect(drainedAfter([], 0)).toBeNull();
  });
});
