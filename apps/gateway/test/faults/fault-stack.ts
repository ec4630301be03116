import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka } from 'kafkajs';
import { LocalKafkaHandle, startLocalKafka } from '@omni/dev-kafka';
import { createKafka } from '@omni/messaging';
import { createLogger } from '@omni/observability';
import { APP_NODE_FLAGS, appEntryPoint } from '@omni/runtime';
import { waitFor } from '@omni/testing';
// The same setup `npm start` runs: every app's migrations, every contract topic. scripts/ is no
// Nx project, hence a relative import.
// eslint-disable-next-line @nx/enforce-module-boundaries -- scripts/lib is the start script's setup, reused as is
import { createTopics, migrateAll } from '../../../../scripts/lib/setup';
import { PgCluster } from './pg-cluster';
import { PortBlock, reservePortBlock } from './ports';
import type { WatchdogState } from './watchdog';

const ROOT = path.resolve(__dirname, '../../../..');

export const SERVICE_APPS = ['device-service', 'recipient-service', 'profile-service', 'projection-service'] as const;
export type ServiceApp = (typeof SERVICE_APPS)[number];
export type AppName = ServiceApp | 'gateway';
/** One running instance: a service by its name, a gateway as `gateway-1` / `gateway-2`. */
export type InstanceId = ServiceApp | 'gateway-1' | 'gateway-2';

/** Every consumer group of the platform and the topics it reads (for the lag check). */
export const CONSUMER_GROUPS: { groupId: string; topics: string[] }[] = [
  { groupId: 'device-service', topics: ['device.commands'] },
  { groupId: 'recipient-service', topics: ['recipient.commands'] },
  { groupId: 'profile-service', topics: ['profile.commands'] },
  { groupId: 'projection-service', topics: ['profile.events', 'device.events', 'recipient.events', 'command.outcomes'] },
  { groupId: 'device-service-settings', topics: ['application.events'] },
  { groupId: 'recipient-service-settings', topics: ['application.events'] },
  { groupId: 'profile-service-settings', topics: ['application.events'] },
];

/** Schemas whose outbox the relays must have emptied once the system is quiet. */
export const OUTBOX_SCHEMAS = ['gateway', 'device', 'recipient', 'profile', 'projection'];

const OUTPUT_LINES_KEPT = 200;
const READY_TIMEOUT_MS = 90_000;

interface Instance {
  id: InstanceId;
  app: AppName;
  port: number;
  child?: ChildProcess;
  /** The latest lines of its output (JSON logs), for failure reports. */
  output: string[];
  /** Set while the suite itself stops it, so that only other exits count as crashes. */
  stopping: boolean;
}

export interface UnexpectedExit {
  id: InstanceId;
  code: number | null;
  signal: string | null;
  at: number;
  tail: string[];
}

export interface FaultStackOptions {
  /** Everything is stopped by the watchdog after this long, whatever happens (the suite's bound). */
  maxLifetimeMs: number;
  /** Log level of the apps (default warn: their warnings and errors end up in failure reports). */
  logLevel?: string;
  /** If set, every app's output and the suite's timeline are also written there (`<instance>.log`, `timeline.log`). */
  logDir?: string;
}

/**
 * The whole platform on private infrastructure, for fault injection: a PostgreSQL cluster of its
 * own (initdb in a temp dir), a Kafka broker of its own (libs/dev-kafka, own port and data dir),
 * the four services and two gateways as separate OS processes on a reserved block of ports in
 * 4300–4399. Nothing here is shared with other test runs, so stopping the broker or the database
 * disturbs nobody else. `stop()` ends everything; a watchdog process does it if this process dies.
 */
export class FaultStack {
  readonly adminSecret = randomBytes(18).toString('base64url');
  private readonly secretHashKey = randomBytes(24).toString('base64url');
  private readonly instances: Instance[];
  private readonly unexpected: UnexpectedExit[] = [];
  private kafkaHandle?: LocalKafkaHandle;
  private watchdog?: ChildProcess;
  private stopped = false;
  private readonly exitGuard = () => this.killSync();
  /** A kafkajs client on the private broker (admin, lag, topic reads). */
  readonly kafka: Kafka;
  /** What the suite did and when (faults, restarts, readiness), for reports. */
  readonly timeline: { at: number; event: string }[] = [];

  private constructor(
    private readonly block: PortBlock,
    private readonly dir: string,
    private readonly pg: PgCluster,
    private readonly options: FaultStackOptions,
    private readonly deadline: number,
  ) {
    const p = block.ports;
    this.instances = [
      { id: 'device-service', app: 'device-service', port: p.deviceService },
      { id: 'recipient-service', app: 'recipient-service', port: p.recipientService },
      { id: 'profile-service', app: 'profile-service', port: p.profileService },
      { id: 'projection-service', app: 'projection-service', port: p.projectionService },
      { id: 'gateway-1', app: 'gateway', port: p.gateways[0] },
      { id: 'gateway-2', app: 'gateway', port: p.gateways[1] },
    ].map((instance) => ({ ...(instance as { id: InstanceId; app: AppName; port: number }), output: [], stopping: false }));
    this.kafka = createKafka({ brokers: this.brokers, clientId: 'fault-suite', topicPrefix: '' }, createLogger('fault-suite', 'silent'));
    if (options.logDir) mkdirSync(options.logDir, { recursive: true });
  }

  /** Note an event on the timeline (and in `timeline.log` with a log dir). */
  mark(event: string): void {
    const at = Date.now();
    this.timeline.push({ at, event });
    if (this.options.logDir) appendFileSync(path.join(this.options.logDir, 'timeline.log'), `${new Date(at).toISOString()} ${event}\n`);
  }

  /** Reserve ports, start PostgreSQL and Kafka, migrate, create topics, start every app; resolves when all are ready. */
  static async start(options: FaultStackOptions): Promise<FaultStack> {
    const deadline = Date.now() + options.maxLifetimeMs;
    const block = await reservePortBlock();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'omni-faults-'));
    chmodSync(dir, 0o711); // PostgreSQL may run as another user (see PgCluster): it must reach its subfolder
    let stack: FaultStack | undefined;
    try {
      const pgDir = path.join(dir, 'pg');
      mkdirSync(pgDir);
      const pg = await PgCluster.create(pgDir, block.ports.postgres);
      const created = (stack = new FaultStack(block, dir, pg, options, deadline));
      created.startWatchdog();
      process.once('exit', created.exitGuard);
      await Promise.all([
        (async () => {
          await pg.start();
          created.saveState();
          await migrateAll(pg.url);
        })(),
        (async () => {
          await created.startKafka();
          await createTopics({ brokers: created.brokers.join(','), prefix: '', partitions: 3 });
        })(),
      ]);
      await Promise.all(created.instances.map((instance) => created.startInstance(instance.id)));
      return created;
    } catch (error) {
      if (stack) await stack.stop();
      else {
        block.release();
        rmSync(dir, { recursive: true, force: true });
      }
      throw error;
    }
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.block.ports.kafka}`];
  }

  /** The broker's stdout/stderr since its latest start (WARN and above). */
  get kafkaLogFile(): string {
    return path.join(this.dir, 'kafka', 'kafka.log');
  }

  get databaseUrl(): string {
    return this.pg.url;
  }

  get gatewayUrls(): string[] {
    return this.block.ports.gateways.map((port) => `http://127.0.0.1:${port}`);
  }

  /** Instances that exited without the suite stopping them (crashes). */
  unexpectedExits(): UnexpectedExit[] {
    return [...this.unexpected];
  }

  /** Stop one instance with `signal` (SIGKILL: a crash) and wait for it to be gone. */
  async stopInstance(id: InstanceId, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const instance = this.instance(id);
    const child = instance.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    instance.stopping = true;
    this.mark(`${signal} ${id}`);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, signal);
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    instance.stopping = false;
    this.saveState();
  }

  /** Start an instance (again, on the same port) and wait until it reports ready. */
  async startInstance(id: InstanceId): Promise<void> {
    const instance = this.instance(id);
    instance.child = this.spawnApp(instance);
    this.saveState();
    this.mark(`start ${id}`);
    await this.waitReady(instance, READY_TIMEOUT_MS, 'always');
  }

  /** `clean`: SIGTERM, a controlled shutdown; `crash`: SIGKILL, the log is recovered at the next start. */
  async stopKafka(mode: 'clean' | 'crash' = 'clean'): Promise<void> {
    this.mark(`stop Kafka (${mode})`);
    const handle = this.kafkaHandle;
    if (mode === 'clean') await handle?.stop();
    else if (handle?.pid) {
      const pid = handle.pid;
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !processAlive(pid), { timeoutMs: 10_000, description: 'the broker gone' });
    }
    this.mark('Kafka stopped');
    this.kafkaHandle = undefined;
    this.saveState();
  }

  /** Start the broker on its data dir (a restart keeps topics, offsets and the cluster id). */
  async startKafka(): Promise<void> {
    this.keepKafkaLog(); // each start overwrites the broker's log file
    this.mark('start Kafka');
    const handle = await startLocalKafka({
      port: this.block.ports.kafka,
      controllerPort: this.block.ports.kafkaController,
      dataDir: path.join(this.dir, 'kafka'),
      heapMb: 320,
      startTimeoutMs: 120_000,
    });
    if (!handle.startedByUs) throw new Error(`a Kafka broker already answers on ${this.brokers[0]}: not ours`);
    this.kafkaHandle = handle;
    this.saveState();
    this.mark('Kafka ready');
  }

  async stopPostgres(mode: 'fast' | 'immediate'): Promise<void> {
    this.mark(`stop PostgreSQL (${mode})`);
    await this.pg.stop(mode);
    this.mark('PostgreSQL stopped');
  }

  async startPostgres(): Promise<void> {
    this.mark('start PostgreSQL');
    await this.pg.start();
    this.saveState();
    this.mark('PostgreSQL ready');
  }

  /** Every instance answers 200 on /health/ready (database, broker and consumers up). */
  async waitAllReady(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    await Promise.all(this.instances.map((instance) => this.waitReady(instance, timeoutMs, 'if-slow')));
    this.mark('every app ready');
  }

  /** Stop everything this stack started (apps, broker, database), remove its files, release its ports. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.instances.map((instance) => this.stopInstance(instance.id, 'SIGTERM').catch(() => undefined)));
    await this.kafkaHandle?.stop().catch(() => undefined);
    await this.pg.stop('immediate').catch(() => undefined);
    this.keepKafkaLog();
    if (this.options.logDir) appendFileSync(path.join(this.options.logDir, 'postgres.log'), this.pg.logTail(10_000));
    rmSync(this.dir, { recursive: true, force: true });
    this.block.release();
    this.watchdog?.kill('SIGTERM');
    process.removeListener('exit', this.exitGuard);
  }

  private keepKafkaLog(): void {
    const log = path.join(this.dir, 'kafka', 'kafka.log');
    if (this.options.logDir && existsSync(log)) appendFileSync(path.join(this.options.logDir, 'kafka.log'), readFileSync(log));
  }

  private instance(id: InstanceId): Instance {
    const instance = this.instances.find((candidate) => candidate.id === id);
    if (!instance) throw new Error(`no instance ${id}`);
    return instance;
  }

  private spawnApp(instance: Instance): ChildProcess {
    const child = spawn(process.execPath, [...APP_NODE_FLAGS, appEntryPoint(instance.app)], {
      cwd: ROOT,
      // Its own process group: a kill reaches the whole app, and Ctrl-C on jest is the watchdog's business.
      detached: true,
      env: {
        ...process.env,
        DATABASE_URL: this.pg.url,
        KAFKA_BROKERS: this.brokers.join(','),
        KAFKA_TOPIC_PREFIX: '',
        PORT: String(instance.port),
        HOST: '127.0.0.1',
        LOG_LEVEL: this.options.logLevel ?? 'warn',
        ADMIN_SECRET: this.adminSecret,
        SECRET_HASH_KEY: this.secretHashKey,
        DATABASE_POOL_SIZE: '4',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      const lines = chunk.toString('utf8').split('\n').filter(Boolean);
      instance.output.push(...lines);
      if (this.options.logDir) appendFileSync(path.join(this.options.logDir, `${instance.id}.log`), lines.map((line) => `${line}\n`).join(''));
      if (instance.output.length > OUTPUT_LINES_KEPT) instance.output.splice(0, instance.output.length - OUTPUT_LINES_KEPT);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code, signal) => {
      if (!instance.stopping && !this.stopped) {
        this.unexpected.push({ id: instance.id, code, signal, at: Date.now(), tail: instance.output.slice(-30) });
      }
    });
    return child;
  }

  /** Poll /health/ready; note on the timeline how long it took and which checks were failing (always, or if it was not at once). */
  private async waitReady(instance: Instance, timeoutMs: number, mark: 'always' | 'if-slow'): Promise<void> {
    const started = Date.now();
    const failing = new Set<string>();
    try {
      await waitFor(
        async () => {
          const child = instance.child;
          if (!child || child.exitCode !== null || child.signalCode !== null) {
            throw new Error(`${instance.id} is not running (exit ${child?.exitCode ?? child?.signalCode})`);
          }
          const response = await fetch(`http://127.0.0.1:${instance.port}/health/ready`, { signal: AbortSignal.timeout(5_000) });
          const body = (await response.json().catch(() => ({}))) as { checks?: Record<string, string> };
          for (const [check, state] of Object.entries(body.checks ?? {})) if (state !== 'up') failing.add(check);
          return response.ok;
        },
        { timeoutMs, intervalMs: 250, description: `${instance.id} ready` },
      );
      if (mark === 'always' || Date.now() - started > 1_000) {
        this.mark(`${instance.id} ready after ${((Date.now() - started) / 1000).toFixed(1)} s (was failing: ${[...failing].join(', ') || 'no answer'})`);
      }
    } catch (error) {
      const checks = [...failing].join(', ') || 'no answer';
      throw new Error(`${(error as Error).message} (failing: ${checks})\n--- ${instance.id} output ---\n${instance.output.slice(-30).join('\n')}`);
    }
  }

  // --- guards ----------------------------------------------------------------------------------

  private get stateFile(): string {
    return path.join(this.dir, 'watchdog.json');
  }

  private saveState(): void {
    const state: WatchdogState = {
      parentPid: process.pid,
      deadline: this.deadline,
      processGroups: [
        ...this.instances.flatMap((instance) => (instance.child?.pid ? [instance.child.pid] : [])),
        ...(this.kafkaHandle?.pid ? [this.kafkaHandle.pid] : []),
      ],
      stopPostgres: this.pg.stopCommand(),
      removeDirs: [this.dir, this.block.lockDir],
    };
    writeFileSync(this.stateFile, JSON.stringify(state));
  }

  private startWatchdog(): void {
    this.saveState();
    this.watchdog = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'watchdog.ts'), this.stateFile], {
      cwd: ROOT,
      detached: true,
      stdio: 'ignore',
    });
    this.watchdog.unref();
  }

  /** Last resort on process exit (synchronous): kill what runs; the watchdog stops PostgreSQL and removes files. */
  private killSync(): void {
    for (const instance of this.instances) if (instance.child) killGroup(instance.child, 'SIGKILL');
    if (this.kafkaHandle?.pid) {
      try {
        process.kill(-this.kafkaHandle.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

/** Alive and not a zombie (an exited child stays one until reaped). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
