/**
 * The benchmark's command line and the two time budgets: the default run (under 10 minutes of
 * wall clock) and `--quick` (under 2). Pure.
 */
import { Command, InvalidArgumentError } from 'commander';

export interface BenchPlan {
  mode: 'quick' | 'default';
  profile: boolean;
  /** Folder receiving benchmarks.md and benchmarks/ (default docs/). */
  outDir: string;
  keepDatabase: boolean;
  /** Free-text notes for the report (`--note`, repeatable). */
  notes: string[];
  kafkaPort: number;
  gatewayPort: number;
  firstServicePort: number;
  databaseName: string;
  poolSize: number;
  partitions: number;
  /** Seconds without any traffic, after the stack is ready and before the warm-up, for its idle CPU. */
  idleSeconds: number;
  /** Seconds of each phase. */
  warmupSeconds: number;
  /** One connection, `PUT /device/{id}/user` one request after another (its devices are registered for as long before). */
  oneClientSeconds: number;
  rywSeconds: number;
  /** The second full-speed read-your-writes phase, with `wideWriteConnections`. */
  rywWideSeconds: number;
  halfLoadSeconds: number;
  asyncSeconds: number;
  readSeconds: number;
  /** Async writes after the measured phases, only to give the replay more events (0 = none). */
  fillSeconds: number;
  /** Longest wait for the pipeline to catch up after the async phase, and between phases. */
  drainWaitSeconds: number;
  settleWaitSeconds: number;
  /** First seconds of a phase left out of its rates (connections opening). */
  rampSeconds: number;
  writeConnections: number;
  wideWriteConnections: number;
  readConnections: number;
  pgSeconds: number;
  kafkaRecords: number;
  kafkaRecordSize: number;
}

const PLANS: Record<BenchPlan['mode'], Omit<BenchPlan, 'profile' | 'outDir' | 'keepDatabase' | 'notes' | 'writeConnections' | 'wideWriteConnections' | 'readConnections' | 'poolSize'>> = {
  default: {
    mode: 'default',
    kafkaPort: 59092,
    gatewayPort: 5300,
    firstServicePort: 5301,
    databaseName: 'omni_bench',
    partitions: 3,
    idleSeconds: 10,
    warmupSeconds: 10,
    oneClientSeconds: 10,
    rywSeconds: 45,
    rywWideSeconds: 20,
    halfLoadSeconds: 30,
    asyncSeconds: 30,
    readSeconds: 20,
    fillSeconds: 40,
    drainWaitSeconds: 45,
    settleWaitSeconds: 15,
    rampSeconds: 2,
    pgSeconds: 10,
    kafkaRecords: 200_000,
    kafkaRecordSize: 512,
  },
  quick: {
    mode: 'quick',
    kafkaPort: 59092,
    gatewayPort: 5300,
    firstServicePort: 5301,
    databaseName: 'omni_bench',
    partitions: 3,
    idleSeconds: 3,
    warmupSeconds: 2,
    oneClientSeconds: 3,
    rywSeconds: 5,
    rywWideSeconds: 4,
    halfLoadSeconds: 4,
    asyncSeconds: 4,
    readSeconds: 3,
    fillSeconds: 0,
    drainWaitSeconds: 5,
    settleWaitSeconds: 2,
    rampSeconds: 1,
    pgSeconds: 2,
    kafkaRecords: 5_000,
    kafkaRecordSize: 512,
  },
};

const nonNegativeInt = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('must be an integer ≥ 0');
  return parsed;
};

const positiveInt = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
};

/** Parse `npm run bench -- …` arguments (without the node and script paths). */
export function parsePlan(argv: string[], writeErr: (text: string) => void = (text) => process.stderr.write(text)): BenchPlan {
  const program = new Command()
    .name('npm run bench --')
    .description('Benchmark the whole stack on its own ports and write docs/benchmarks.md, docs/benchmarks/latest.json and a chart')
    .option('--quick', 'short phases: the whole run in under 2 minutes', false)
    .option('--profile', 'CPU-profile every app during the write phases, the gateway during the reads, and the replay; slows them, so the report goes to .cache/bench/profiled/ unless --out says otherwise', false)
    .option('--out <dir>', 'folder receiving benchmarks.md and benchmarks/', 'docs')
    .option('--connections <n>', 'autocannon connections for the write phases', positiveInt, 64)
    .option('--wide-connections <n>', 'autocannon connections for the second full-speed read-your-writes phase', positiveInt, 256)
    .option('--read-connections <n>', 'autocannon connections for the read phase', positiveInt, 32)
    .option('--pool-size <n>', 'DATABASE_POOL_SIZE of every app, and the raw PostgreSQL pool', positiveInt, 10)
    .option('--seconds <n>', 'override the length of each measured load phase (one client, both full-speed writes, half-load, async, read)', positiveInt)
    .option('--fill-seconds <n>', 'async writes after the measured phases, only to give the replay more events (0: none)', nonNegativeInt)
    .option('--keep-database', 'leave the omni_bench database in place at the end', false)
    .option('--instance <n>', 'run beside another benchmark: Kafka port +100·n, app ports +10·n, database omni_bench_<n> (figures are then shared-machine figures)', nonNegativeInt, 0)
    .option('--note <text>', 'a note for the report, e.g. what else ran on the machine (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .exitOverride()
    .configureOutput({ writeErr })
    .parse(argv, { from: 'user' });
  const options = program.opts<{
    quick: boolean;
    profile: boolean;
    out: string;
    connections: number;
    wideConnections: number;
    readConnections: number;
    poolSize: number;
    seconds?: number;
    fillSeconds?: number;
    keepDatabase: boolean;
    instance: number;
    note: string[];
  }>();
  const plan: BenchPlan = {
    ...PLANS[options.quick ? 'quick' : 'default'],
    profile: options.profile,
    outDir: options.out,
    keepDatabase: options.keepDatabase,
    notes: options.note,
    writeConnections: options.connections,
    wideWriteConnections: options.wideConnections,
    readConnections: options.readConnections,
    poolSize: options.poolSize,
  };
  if (options.instance > 0) {
    plan.kafkaPort += 100 * options.instance;
    plan.gatewayPort += 10 * options.instance;
    plan.firstServicePort += 10 * options.instance;
    plan.databaseName = `${plan.databaseName}_${options.instance}`;
    plan.notes = [...plan.notes, `instance ${options.instance}: another benchmark may have shared the machine`];
  }
  if (options.fillSeconds !== undefined) plan.fillSeconds = options.fillSeconds;
  if (options.seconds !== undefined) {
    plan.oneClientSeconds = options.seconds;
    plan.rywSeconds = options.seconds;
    plan.rywWideSeconds = options.seconds;
    plan.halfLoadSeconds = options.seconds;
    plan.asyncSeconds = options.seconds;
    plan.readSeconds = options.seconds;
  }
  return plan;
}

/** The longest the measured phases and waits can take (start-up, baselines and replay excluded), in seconds. */
export function phaseBudgetSeconds(plan: BenchPlan): number {
  return (
    plan.settleWaitSeconds + // the benchmark's set-up going through the pipeline
    plan.idleSeconds +
    plan.warmupSeconds +
    plan.settleWaitSeconds +
    plan.oneClientSeconds + // registering the one client's devices
    plan.settleWaitSeconds +
    plan.oneClientSeconds +
    plan.settleWaitSeconds +
    plan.rywSeconds +
    plan.settleWaitSeconds +
    plan.halfLoadSeconds +
    1 + // the paced phase's staggered starts
    plan.settleWaitSeconds +
    plan.rywWideSeconds +
    plan.settleWaitSeconds +
    plan.asyncSeconds +
    plan.drainWaitSeconds +
    plan.settleWaitSeconds + // once more if the async phase did not drain
    plan.readSeconds +
    plan.fillSeconds +
    (plan.fillSeconds > 0 ? plan.drainWaitSeconds : 0) +
    plan.pgSeconds
  );
}
