/**
 * The shape of docs/benchmarks/latest.json and the targets each figure is judged by.
 * Pure: the runner fills a BenchResults, `evaluateTargets` judges it, report.ts renders it.
 */
import { LatencySummary, RateSummary, ratio } from './stats';

export const RESULTS_SCHEMA_VERSION = 1;

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  release: string;
  /** 1-minute load average when the run started and when it ended: how busy the machine was besides the benchmark. */
  loadAverage: { start: number; end: number };
}

export interface LoadPhaseResult {
  name: string;
  /** How the requests were sent: `read-your-writes` (default), `respond-async`, `read`. */
  mode: 'read-your-writes' | 'respond-async' | 'read';
  seconds: number;
  connections: number;
  /** Requests per second asked of autocannon (overallRate), when the phase was paced. */
  targetRequestsPerSecond: number | null;
  /** Requests answered, by call and status. */
  statuses: Record<string, Record<string, number>>;
  /** Requests that got no answer (autocannon: connection errors, and answers slower than its 30 s timeout). */
  unanswered: { errors: number; timeouts: number };
  /** Writes that succeeded (RYW: 200/201 with the effect visible; async: 202 accepted). */
  writes: { ok: number; failed: number; timedOut: number; rate: RateSummary; latencyMs: LatencySummary };
  /** Profile reads (200), their rate and latency. */
  reads: { ok: number; failed: number; stale: number; rate: RateSummary; latencyMs: LatencySummary };
  /** Write phases: users whose flow started in this phase. Read phase: the users the reads picked among. */
  users: number;
  /** CPU seconds each process used during the phase (user + system, from /proc). */
  cpuSeconds: Record<string, number>;
  /**
   * CPU seconds the local PostgreSQL server used during the phase (every `postgres` process, backends
   * that exited included), apart from cpuSeconds so that its sums stay comparable with earlier runs.
   * Null: not measured (a database on another machine, or no `postgres` process could be read).
   */
  postgresCpuSeconds: number | null;
  /** Messages appended to all Kafka topics during the phase, per second (commands, events, outcomes, snapshots). */
  kafkaMessagesPerSecond: number | null;
}

export interface LagReading {
  /** Seconds since the start of the async phase. */
  second: number;
  /** Sum over consumer groups and partitions of (end offset − committed offset). */
  consumerLag: number;
  /** Outbox rows written but not yet published, all services. */
  outboxBacklog: number;
  /** Commands accepted in the phase whose outcome the projection has not recorded yet. */
  unprojectedCommands: number;
}

export interface AsyncPhaseResult extends LoadPhaseResult {
  lag: LagReading[];
  /** Seconds from the end of the load until consumer lag, outbox backlog and unprojected commands were all zero (null: not within the wait). */
  drainSeconds: number | null;
  /** The same for the consumer lag alone. */
  consumerLagDrainSeconds: number | null;
  /** How long the runner waited for the drain at most. */
  drainWaitSeconds: number;
  maxConsumerLag: number;
  /** What the services made of the accepted commands once the pipeline caught up (null: not read). */
  outcomes: { accepted: number; rejected: Record<string, number> } | null;
}

export interface IdleCpu {
  /** Wall clock of the window: no traffic, after the stack was ready and the benchmark's set-up had gone through, before the warm-up. */
  seconds: number;
  /** CPU (user + system, from /proc) of each app and the Kafka JVM over the window, % of one core. */
  percentOfCore: Record<string, number>;
  /** Their sum: the idle stack's CPU (null: a process could not be read). */
  totalPercentOfCore: number | null;
  /** The local PostgreSQL server's CPU over the window, % of one core, not in the sum (null: not measured). */
  postgresPercentOfCore: number | null;
}

export interface ReplayResultSummary {
  /** Events in device.events, recipient.events and profile.events when the replay started. */
  eventsInTopics: number;
  eventsFolded: number;
  skipped: number;
  /** Whole run as `npm run cli -- replay` reports it: setup, fold, catch-up and swap. */
  seconds: number;
  eventsPerSecond: number;
  /** The fold alone (first to last progress report of the rebuilding phase). */
  foldEventsPerSecond: number | null;
  swapped: boolean;
}

export interface PgBaseline {
  /** Single-row upserts per second, each its own transaction. */
  upsertsPerSecond: number;
  poolSize: number;
  concurrency: number;
  seconds: number;
  synchronousCommit: string;
  latencyMs: LatencySummary;
}

export interface KafkaBaseline {
  records: number;
  recordSize: number;
  partitions: number;
  producerProps: string[];
  producePerSecond: number;
  produceLatencyMs: { avg: number; p50: number; p99: number } | null;
  consumePerSecond: number;
  /** The slower of the two: the rate a produce→consume pipeline could sustain on this machine. */
  produceConsumePerSecond: number;
}

export interface ProcessMemory {
  process: string;
  pid: number | null;
  /** Peak resident set size (VmHWM), MiB. */
  peakRssMiB: number | null;
}

export interface Hotspot {
  selfMs: number;
  selfPercent: number;
  functionName: string;
  location: string;
}

export interface ProcessProfile {
  process: string;
  /** What the profile covers (`write path`, `replay`). */
  covers: string;
  totalMs: number;
  hotspots: Hotspot[];
  /** Self time by the package or repository folder it was spent for (see cpu-profile.ts originOf). */
  byOrigin: { origin: string; selfMs: number; selfPercent: number }[];
}

export interface Target {
  id: string;
  label: string;
  /** What is required, in words (`≥ 2,000 writes/s`). */
  requirement: string;
  measured: number | null;
  unit: string;
  pass: boolean;
}

export interface BenchResults {
  schemaVersion: number;
  mode: 'quick' | 'default';
  profiled: boolean;
  date: string;
  commit: string;
  dirtyTree: boolean;
  machine: MachineInfo;
  wallClockSeconds: number;
  settings: Record<string, string | number | boolean>;
  /** Null: not measured. */
  idle: IdleCpu | null;
  phases: {
    /** One connection, `PUT /device/{id}/user` one request after another. */
    oneClient: LoadPhaseResult;
    rywMax: LoadPhaseResult;
    rywHalf: LoadPhaseResult;
    /** Read-your-writes at full speed again, with more connections (256 by default). */
    rywWide: LoadPhaseResult;
    async: AsyncPhaseResult;
    reads: LoadPhaseResult;
  };
  replay: ReplayResultSummary | null;
  baselines: { pg: PgBaseline | null; kafka: KafkaBaseline | null };
  ratios: {
    /** Pipeline writes/s (RYW, median) ÷ raw PostgreSQL upserts/s. */
    writesToPgUpserts: number | null;
    /** Kafka messages/s appended by the pipeline (RYW) ÷ raw produce→consume messages/s. */
    pipelineKafkaToRaw: number | null;
    /** Pipeline writes/s (RYW, median) ÷ raw produce→consume messages/s. */
    writesToRawKafka: number | null;
  };
  memory: ProcessMemory[];
  targets: Target[];
  /** Per-second latency and throughput of every phase, for the chart. */
  timeline: { phase: string; second: number; writesPerSecond: number; readsPerSecond: number; p50: number | null; p99: number | null }[];
  profiles: ProcessProfile[];
  notes: string[];
}

export const TARGETS = {
  rywWritesPerSecond: 2_000,
  rywP99Ms: 250,
  rywHalfLoadP99Ms: 100,
  oneClientP50Ms: 10,
  asyncWritesPerSecond: 5_000,
  asyncDrainSeconds: 5,
  readsPerSecond: 5_000,
  readP99Ms: 20,
  replayEventsPerSecond: 30_000,
  rssMiB: 300,
  writesToPgUpserts: 0.25,
  idleCpuPercentOfCore: 2,
} as const;

const finite = (value: number | null | undefined): value is number => value !== null && value !== undefined && Number.isFinite(value);
const atLeast = (value: number | null | undefined, bound: number) => finite(value) && value >= bound;
const atMost = (value: number | null | undefined, bound: number) => finite(value) && value <= bound;
const orNull = (value: number | null | undefined) => (finite(value) ? value : null);

/** The ratios shown next to the pipeline's figures. */
export function computeRatios(results: Pick<BenchResults, 'phases' | 'baselines'>): BenchResults['ratios'] {
  const writes = results.phases.rywMax.writes.rate.median;
  const kafkaRaw = results.baselines.kafka?.produceConsumePerSecond;
  return {
    writesToPgUpserts: ratio(writes, results.baselines.pg?.upsertsPerSecond),
    pipelineKafkaToRaw: ratio(results.phases.rywMax.kafkaMessagesPerSecond, kafkaRaw),
    writesToRawKafka: ratio(writes, kafkaRaw),
  };
}

/** The full-speed read-your-writes phase with more writes/s (median), the first on a tie: the one its targets judge. */
export function bestRywPhase(phases: Pick<BenchResults['phases'], 'rywMax' | 'rywWide'>): LoadPhaseResult {
  const { rywMax, rywWide } = phases;
  return (orNull(rywWide.writes.rate.median) ?? -1) > (orNull(rywMax.writes.rate.median) ?? -1) ? rywWide : rywMax;
}

/** Every target of the issue, judged on these results. A figure that could not be measured is a MISS. */
export function evaluateTargets(results: Pick<BenchResults, 'idle' | 'phases' | 'replay' | 'memory' | 'ratios'>): Target[] {
  const { oneClient, rywMax, rywHalf, rywWide, async, reads } = results.phases;
  const best = bestRywPhase(results.phases);
  const idle = results.idle?.totalPercentOfCore;
  const targets: Target[] = [
    {
      id: 'ryw-throughput',
      label: `Writes/s sustained, read-your-writes (best of ${rywMax.connections} and ${rywWide.connections} connections)`,
      requirement: `≥ ${TARGETS.rywWritesPerSecond.toLocaleString('en-US')} writes/s`,
      measured: orNull(best.writes.rate.median),
      unit: 'writes/s',
      pass: atLeast(best.writes.rate.median, TARGETS.rywWritesPerSecond),
    },
    {
      id: 'ryw-p99',
      label: `p99 write latency, read-your-writes at full speed (that phase: ${best.connections} connections)`,
      requirement: `≤ ${TARGETS.rywP99Ms} ms`,
      measured: orNull(best.writes.latencyMs.p99),
      unit: 'ms',
      pass: atMost(best.writes.latencyMs.p99, TARGETS.rywP99Ms),
    },
    {
      id: 'ryw-half-load-p99',
      label: `p99 write latency at 50 % load (${formatNumber(rywHalf.targetRequestsPerSecond)} req/s asked)`,
      requirement: `≤ ${TARGETS.rywHalfLoadP99Ms} ms`,
      measured: orNull(rywHalf.writes.latencyMs.p99),
      unit: 'ms',
      pass: atMost(rywHalf.writes.latencyMs.p99, TARGETS.rywHalfLoadP99Ms),
    },
    {
      id: 'one-client-p50',
      label: 'p50 write latency, one client (PUT /device/{id}/user)',
      requirement: `≤ ${TARGETS.oneClientP50Ms} ms`,
      measured: orNull(oneClient.writes.latencyMs.p50),
      unit: 'ms',
      pass: atMost(oneClient.writes.latencyMs.p50, TARGETS.oneClientP50Ms),
    },
    {
      id: 'async-throughput',
      label: 'Writes/s accepted, respond-async',
      requirement: `≥ ${TARGETS.asyncWritesPerSecond.toLocaleString('en-US')} writes/s`,
      measured: orNull(async.writes.rate.median),
      unit: 'writes/s',
      pass: atLeast(async.writes.rate.median, TARGETS.asyncWritesPerSecond),
    },
    {
      id: 'async-drain',
      label: 'Lag back to zero after the async load stops',
      requirement: `≤ ${TARGETS.asyncDrainSeconds} s`,
      measured: async.drainSeconds,
      unit: 's',
      pass: atMost(async.drainSeconds, TARGETS.asyncDrainSeconds),
    },
    {
      id: 'read-throughput',
      label: 'Profile reads/s',
      requirement: `≥ ${TARGETS.readsPerSecond.toLocaleString('en-US')} reads/s`,
      measured: orNull(reads.reads.rate.median),
      unit: 'reads/s',
      pass: atLeast(reads.reads.rate.median, TARGETS.readsPerSecond),
    },
    {
      id: 'read-p99',
      label: 'p99 profile read latency',
      requirement: `≤ ${TARGETS.readP99Ms} ms`,
      measured: orNull(reads.reads.latencyMs.p99),
      unit: 'ms',
      pass: atMost(reads.reads.latencyMs.p99, TARGETS.readP99Ms),
    },
    {
      id: 'replay-throughput',
      label: 'Replay events/s',
      requirement: `≥ ${TARGETS.replayEventsPerSecond.toLocaleString('en-US')} events/s`,
      measured: orNull(results.replay?.eventsPerSecond),
      unit: 'events/s',
      pass: atLeast(results.replay?.eventsPerSecond, TARGETS.replayEventsPerSecond),
    },
    {
      id: 'idle-cpu',
      label: 'Idle stack CPU (apps and Kafka, no traffic)',
      requirement: `≤ ${TARGETS.idleCpuPercentOfCore} % of a core`,
      measured: orNull(idle),
      unit: '% of a core',
      pass: atMost(idle, TARGETS.idleCpuPercentOfCore),
    },
    ...results.memory.map<Target>((memory) => ({
      id: `rss-${memory.process}`,
      label: `Peak RSS, ${memory.process}`,
      requirement: `< ${TARGETS.rssMiB} MB`,
      measured: memory.peakRssMiB,
      unit: 'MB',
      pass: finite(memory.peakRssMiB) && memory.peakRssMiB < TARGETS.rssMiB,
    })),
    {
      id: 'writes-to-pg',
      label: 'Pipeline writes/s ÷ raw PostgreSQL upserts/s',
      requirement: `≥ ${TARGETS.writesToPgUpserts * 100} %`,
      measured: results.ratios.writesToPgUpserts === null ? null : results.ratios.writesToPgUpserts * 100,
      unit: '%',
      pass: atLeast(results.ratios.writesToPgUpserts, TARGETS.writesToPgUpserts),
    },
  ];
  return targets;
}

/** `1234.5` → `1,235`; small values keep a decimal (`12.3`); null/NaN → `–`. */
export function formatNumber(value: number | null | undefined, decimals?: number): string {
  if (!finite(value)) return '–';
  const digits = decimals ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
