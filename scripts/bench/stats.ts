/**
 * The arithmetic of the benchmark: percentiles, medians, per-second series and ratios. Pure
 * functions, no I/O, so that what the report says can be checked by unit tests.
 */

/** One answered request as the load generator saw it. */
export interface Sample {
  /** Milliseconds since the start of the phase when the answer arrived. */
  atMs: number;
  /** Round-trip latency in milliseconds. */
  latencyMs: number;
  /** Which call of the flow it was (`register-device`, `profile-read`, …). */
  kind: string;
  status: number;
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface RateSummary {
  /** Median of the per-second rates over the steady window. */
  median: number;
  /** Mean over the steady window (total / seconds). */
  mean: number;
  /** Per-second rates of the steady window, in order. */
  perSecond: number[];
}

/**
 * The p-th percentile (0 < p ≤ 100) by the nearest-rank method: the smallest value such that at
 * least p % of the values are less than or equal to it. NaN for no values.
 */
export function percentile(values: readonly number[], p: number, alreadySorted = false): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (values.length === 0) return Number.NaN;
  const sorted = alreadySorted ? values : [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The median (mean of the two middle values for an even count). NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function summarizeLatency(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    mean: sorted.length ? total / sorted.length : Number.NaN,
    p50: percentile(sorted, 50, true),
    p95: percentile(sorted, 95, true),
    p99: percentile(sorted, 99, true),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
  };
}

/**
 * Counts per whole second of the phase: index i holds the samples answered in [i s, i+1 s).
 * Only `seconds` buckets are kept (answers after the end of the phase are dropped).
 */
export function perSecondCounts(samples: readonly Pick<Sample, 'atMs'>[], seconds: number): number[] {
  const buckets = new Array<number>(Math.max(0, Math.floor(seconds))).fill(0);
  for (const { atMs } of samples) {
    const index = Math.floor(atMs / 1000);
    if (index >= 0 && index < buckets.length) buckets[index] += 1;
  }
  return buckets;
}

/**
 * The sustained rate of a phase: per-second counts without the first `skipSeconds` (ramp-up:
 * connections opening, pools filling), their median and their mean.
 */
export function sustainedRate(samples: readonly Pick<Sample, 'atMs'>[], seconds: number, skipSeconds: number): RateSummary {
  const perSecond = perSecondCounts(samples, seconds).slice(Math.min(skipSeconds, Math.max(0, Math.floor(seconds) - 1)));
  const total = perSecond.reduce((sum, value) => sum + value, 0);
  return { median: median(perSecond), mean: perSecond.length ? total / perSecond.length : Number.NaN, perSecond };
}

/** Per-second latency percentiles, for the latency-over-time chart. */
export function latencyOverTime(samples: readonly Sample[], seconds: number): { second: number; count: number; p50: number; p99: number }[] {
  const buckets: number[][] = Array.from({ length: Math.max(0, Math.floor(seconds)) }, () => []);
  for (const sample of samples) {
    const index = Math.floor(sample.atMs / 1000);
    if (index >= 0 && index < buckets.length) buckets[index].push(sample.latencyMs);
  }
  return buckets.map((values, second) => {
    const sorted = values.sort((a, b) => a - b);
    return { second, count: sorted.length, p50: percentile(sorted, 50, true), p99: percentile(sorted, 99, true) };
  });
}

/** `part / whole`, or null when either is unknown or the whole is not positive. */
export function ratio(part: number | null | undefined, whole: number | null | undefined): number | null {
  if (part === null || part === undefined || whole === null || whole === undefined) return null;
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole <= 0) return null;
  return part / whole;
}

/** Counts of answers by kind and status, e.g. `{ 'register-device': { 201: 10, 500: 1 } }`. */
export function statusCounts(samples: readonly Pick<Sample, 'kind' | 'status'>[]): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const { kind, status } of samples) {
    const byStatus = (counts[kind] ??= {});
    byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
  }
  return counts;
}

/**
 * When a drained backlog reached zero for good: the first time (in seconds after `fromMs`) from
 * which every later reading is zero. Null when the last reading is not zero (not drained yet).
 */
export function drainedAfter(readings: readonly { atMs: number; value: number }[], fromMs: number): number | null {
  const after = readings.filter((reading) => reading.atMs >= fromMs);
  if (after.length === 0 || after[after.length - 1].value !== 0) return null;
  let index = after.length - 1;
  while (index > 0 && after[index - 1].value === 0) index -= 1;
  return Math.max(0, (after[index].atMs - fromMs) / 1000);
}
