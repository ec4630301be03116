/**
 * A complete BenchResults for the benchmark's unit tests (report, targets, chart): figures chosen
 * so that every target's verdict is known.
 */
import { AsyncPhaseResult, BenchResults, LoadPhaseResult, RESULTS_SCHEMA_VERSION } from './results';

const latency = (p50: number, p99: number) => ({ count: 100, mean: p50, p50, p95: (p50 + p99) / 2, p99, max: p99 * 2 });
const rate = (median: number) => ({ median, mean: median, perSecond: [median, median] });

export function phaseFixture(overrides: Partial<LoadPhaseResult> = {}): LoadPhaseResult {
  return {
    name: 'read-your-writes, full speed, 64 connections',
    mode: 'read-your-writes',
    seconds: 60,
    connections: 64,
    targetRequestsPerSecond: null,
    statuses: { 'register-device': { 201: 100 } },
    unanswered: { errors: 0, timeouts: 0 },
    cpuSeconds: { gateway: 60, 'device-service': 30 },
    postgresCpuSeconds: 45,
    writes: { ok: 120_000, failed: 0, timedOut: 0, rate: rate(2_400), latencyMs: latency(20, 90) },
    reads: { ok: 24_000, failed: 0, stale: 0, rate: rate(400), latencyMs: latency(3, 9) },
    users: 24_000,
    kafkaMessagesPerSecond: 9_000,
    ...overrides,
  };
}

export function resultsFixture(): BenchResults {
  const asyncPhase: AsyncPhaseResult = {
    ...phaseFixture({ name: 'respond-async, full speed', mode: 'respond-async', writes: { ok: 1, failed: 0, timedOut: 0, rate: rate(6_000), latencyMs: latency(5, 15) } }),
    lag: [
      { second: 0, consumerLag: 0, outboxBacklog: 0, unprojectedCommands: 0 },
      { second: 30, consumerLag: 900, outboxBacklog: 40, unprojectedCommands: 3_000 },
      { second: 47, consumerLag: 0, outboxBacklog: 0, unprojectedCommands: 0 },
    ],
    drainSeconds: 2,
    consumerLagDrainSeconds: 1.5,
    drainWaitSeconds: 60,
    maxConsumerLag: 900,
    outcomes: { accepted: 2_990, rejected: { USER_NOT_FOUND: 10 } },
  };
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    mode: 'default',
    profiled: false,
    date: '2026-11-28T20:00:00.000Z',
    commit: '0123456789abcdef0123456789abcdef01234567',
    dirtyTree: false,
    machine: { cpuModel: 'Test CPU', cores: 2, memoryGiB: 24, node: 'v20.20.2', platform: 'linux', release: '6.1', loadAverage: { start: 0.5, end: 2.25 } },
    wallClockSeconds: 480,
    settings: { 'write connections': 64 },
    // Idle: over the target.
    idle: { seconds: 10, percentOfCore: { 'kafka (JVM)': 1.5, gateway: 0.5, 'device-service': 1 }, totalPercentOfCore: 3, postgresPercentOfCore: 4 },
    phases: {
      // One client: p50 within the target.
      oneClient: phaseFixture({
        name: 'read-your-writes, one client',
        seconds: 10,
        connections: 1,
        cpuSeconds: { gateway: 3, 'device-service': 1.5 },
        postgresCpuSeconds: 1.2,
        writes: { ok: 1_200, failed: 0, timedOut: 0, rate: rate(120), latencyMs: latency(8, 14) },
        reads: { ok: 0, failed: 0, stale: 0, rate: rate(0), latencyMs: latency(Number.NaN, Number.NaN) },
        users: 0,
      }),
      rywMax: phaseFixture(),
      // Half load: p99 over the target.
      rywHalf: phaseFixture({ name: 'read-your-writes, half load', targetRequestsPerSecond: 1_440, writes: { ok: 1, failed: 0, timedOut: 2, rate: rate(1_200), latencyMs: latency(15, 150) } }),
      // 256 connections: fewer writes/s than 64, so the full-speed targets judge the 64-connection phase.
      rywWide: phaseFixture({
        name: 'read-your-writes, full speed, 256 connections',
        connections: 256,
        writes: { ok: 110_000, failed: 0, timedOut: 5, rate: rate(2_200), latencyMs: latency(90, 300) },
      }),
      async: asyncPhase,
      // Reads: throughput under the target, p99 within it.
      reads: phaseFixture({ name: 'profile reads', mode: 'read', reads: { ok: 1, failed: 0, stale: 0, rate: rate(4_000), latencyMs: latency(4, 12) } }),
    },
    replay: { eventsInTopics: 500_000, eventsFolded: 500_000, skipped: 0, seconds: 10, eventsPerSecond: 50_000, foldEventsPerSecond: 60_000, swapped: true },
    baselines: {
      pg: { upsertsPerSecond: 8_000, poolSize: 10, concurrency: 10, seconds: 10, synchronousCommit: 'on', latencyMs: latency(1, 5) },
      kafka: {
        records: 200_000,
        recordSize: 512,
        partitions: 3,
        producerProps: ['acks=all'],
        producePerSecond: 90_000,
        produceLatencyMs: { avg: 5, p50: 4, p99: 20 },
        consumePerSecond: 200_000,
        produceConsumePerSecond: 90_000,
      },
    },
    ratios: { writesToPgUpserts: 0.3, pipelineKafkaToRaw: 0.1, writesToRawKafka: 2_400 / 90_000 },
    memory: [
      { process: 'gateway', pid: 1, peakRssMiB: 180 },
      { process: 'kafka (JVM)', pid: 2, peakRssMiB: 450 },
      { process: 'replay', pid: null, peakRssMiB: null },
    ],
    targets: [],
    timeline: [
      { phase: 'read-your-writes, full speed, 64 connections', second: 0, writesPerSecond: 2_000, readsPerSecond: 400, p50: 20, p99: 90 },
      { phase: 'profile reads', second: 1, writesPerSecond: 0, readsPerSecond: 4_000, p50: 4, p99: null },
    ],
    profiles: [],
    notes: [],
  };
}
