/**
 * From the answers of one phase to its figures, and from every phase to the chart's timeline. Pure.
 */
import { READ_KIND, WRITE_KINDS } from './load';
import { BenchResults, IdleCpu, LoadPhaseResult } from './results';
import { Sample, latencyOverTime, perSecondCounts, statusCounts, summarizeLatency, sustainedRate } from './stats';

const WRITES = new Set<string>(WRITE_KINDS);

export interface PhaseInput {
  name: string;
  mode: LoadPhaseResult['mode'];
  seconds: number;
  connections: number;
  targetRequestsPerSecond: number | null;
  samples: readonly Sample[];
  rampSeconds: number;
  users: number;
  stale: number;
  /** Messages appended to all topics during the phase. */
  kafkaMessages: number | null;
  unanswered: { errors: number; timeouts: number };
  cpuSeconds: Record<string, number>;
  postgresCpuSeconds: number | null;
}

/** A write succeeded: visible (200/201) in read-your-writes mode, accepted (202) in async mode. */
export function writeOutcome(mode: LoadPhaseResult['mode'], status: number): 'ok' | 'timed-out' | 'failed' {
  if (mode === 'respond-async') return status === 202 ? 'ok' : 'failed';
  if (status === 200 || status === 201) return 'ok';
  return status === 202 ? 'timed-out' : 'failed';
}

export function summarizePhase(input: PhaseInput): LoadPhaseResult {
  const writes = input.samples.filter((sample) => WRITES.has(sample.kind));
  const reads = input.samples.filter((sample) => sample.kind === READ_KIND);
  const okWrites = writes.filter((sample) => writeOutcome(input.mode, sample.status) === 'ok');
  const okReads = reads.filter((sample) => sample.status === 200);
  return {
    name: input.name,
    mode: input.mode,
    seconds: input.seconds,
    connections: input.connections,
    targetRequestsPerSecond: input.targetRequestsPerSecond,
    statuses: statusCounts(input.samples),
    unanswered: input.unanswered,
    cpuSeconds: input.cpuSeconds,
    postgresCpuSeconds: input.postgresCpuSeconds,
    writes: {
      ok: okWrites.length,
      timedOut: writes.filter((sample) => writeOutcome(input.mode, sample.status) === 'timed-out').length,
      failed: writes.filter((sample) => writeOutcome(input.mode, sample.status) === 'failed').length,
      rate: sustainedRate(okWrites, input.seconds, input.rampSeconds),
      latencyMs: summarizeLatency(writes.map((sample) => sample.latencyMs)),
    },
    reads: {
      ok: okReads.length,
      failed: reads.length - okReads.length,
      stale: input.stale,
      rate: sustainedRate(okReads, input.seconds, input.rampSeconds),
      latencyMs: summarizeLatency(reads.map((sample) => sample.latencyMs)),
    },
    users: input.users,
    kafkaMessagesPerSecond: input.kafkaMessages === null || input.seconds <= 0 ? null : input.kafkaMessages / input.seconds,
  };
}

/** CPU seconds each process used between two readings (those in both). */
export function cpuUsed(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...after].filter(([name]) => before.has(name)).map(([name, cpu]) => [name, cpu - (before.get(name) ?? 0)]));
}

/**
 * CPU seconds PostgreSQL used between two readings of readPostgresCpuSeconds; null if either is
 * missing, or if the total went down (the server restarted in between).
 */
export function postgresCpuUsed(before: number | null, after: number | null): number | null {
  return before === null || after === null || after < before ? null : after - before;
}

/**
 * The CPU of the stack's processes over a window without traffic, as % of one core; no sum if one
 * could not be read. PostgreSQL's is given apart, not in the sum.
 */
export function summarizeIdle(cpuSeconds: Record<string, number>, postgresCpuSeconds: number | null, seconds: number, stackProcesses: readonly string[]): IdleCpu {
  const read = stackProcesses.filter((name) => name in cpuSeconds);
  const percentOfCore = Object.fromEntries(read.map((name) => [name, (cpuSeconds[name] / seconds) * 100]));
  const total = Object.values(percentOfCore).reduce((sum, percent) => sum + percent, 0);
  return {
    seconds,
    percentOfCore,
    totalPercentOfCore: read.length === stackProcesses.length ? total : null,
    postgresPercentOfCore: postgresCpuSeconds === null ? null : (postgresCpuSeconds / seconds) * 100,
  };
}

/** All requests answered per second, whatever their status (what the paced phase asks half of). */
export function answeredPerSecond(samples: readonly Sample[], seconds: number, rampSeconds: number): number {
  return sustainedRate(samples, seconds, rampSeconds).median;
}

/**
 * Second by second, the phases one after another: successful writes and reads per second, and the
 * latency percentiles of the writes (of the reads in a phase that only reads).
 */
export function buildTimeline(
  phases: readonly { name: string; mode: LoadPhaseResult['mode']; seconds: number; samples: readonly Sample[] }[],
): BenchResults['timeline'] {
  const timeline: BenchResults['timeline'] = [];
  let offset = 0;
  for (const phase of phases) {
    const writes = phase.samples.filter((sample) => WRITES.has(sample.kind));
    const reads = phase.samples.filter((sample) => sample.kind === READ_KIND);
    const okWrites = perSecondCounts(writes.filter((sample) => writeOutcome(phase.mode, sample.status) === 'ok'), phase.seconds);
    const okReads = perSecondCounts(reads.filter((sample) => sample.status === 200), phase.seconds);
    const latency = latencyOverTime(phase.mode === 'read' ? reads : writes, phase.seconds);
    for (let second = 0; second < Math.floor(phase.seconds); second += 1) {
      const point = latency[second];
      timeline.push({
        phase: phase.name,
        second: offset + second,
        writesPerSecond: okWrites[second],
        readsPerSecond: okReads[second],
        p50: point && Number.isFinite(point.p50) ? point.p50 : null,
        p99: point && Number.isFinite(point.p99) ? point.p99 : null,
      });
    }
    offset += Math.floor(phase.seconds);
  }
  return timeline;
}
