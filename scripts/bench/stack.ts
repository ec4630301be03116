/**
 * The benchmark's own stack, started as `npm start` starts it (scripts/start.ts: a local Kafka
 * broker from dev-kafka, `migrateAll`, `createTopics`, every app of `APPS` as
 * `node dist/apps/<app>/src/main.js`), but on ports and in places of its own so
 * that it never collides with a developer's `npm start` or with the tests:
 *
 *   Kafka     127.0.0.1:59092 (controller 59093), data in .cache/kafka/bench-59092, wiped at start
 *   database  omni_bench on DATABASE_URL's server, dropped and recreated at start
 *   apps      gateway on 5300, the services on 5301–5304, logs in .cache/bench/logs/<app>.log
 *
 * Each app is spawned directly (not through a shell) so that its pid is the Node process itself:
 * the runner reads its memory from /proc and sends it the profiler's signal.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { DEFAULT_DATABASE_URL } from '../../libs/config/src';
import { LocalKafkaHandle, startLocalKafka, stopLocalKafka } from '../../libs/dev-kafka/src';
import { APP_NODE_FLAGS, appEntryPoint } from '../../libs/runtime/src/app-process';
import { buildApps } from '../../libs/runtime/src/build-apps';
import { dropDatabase, ensureDatabase, withDatabase } from '../../libs/persistence/src';
import { APPS } from '../lib/services';
import { createTopics, migrateAll } from '../lib/setup';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Short-lived processes the runner starts besides the stack (perf tools, the replay): killed on exit. */
export const transientChildren = new Set<ChildProcess>();

/** Track a short-lived child until it exits. */
export function transient<T extends ChildProcess>(child: T): T {
  transientChildren.add(child);
  child.once('exit', () => transientChildren.delete(child));
  return child;
}

export interface BenchStackOptions {
  kafkaPort: number;
  gatewayPort: number;
  /** Ports of the four services, in the order of APPS after the gateway. */
  firstServicePort: number;
  databaseName: string;
  /** Connections per app (DATABASE_POOL_SIZE). */
  poolSize: number;
  partitions: number;
  logDir: string;
  /** When set, each app preloads the profiler hook and writes its profiles here. */
  profileDir?: string;
  /** Extra environment for every app. */
  env?: Record<string, string>;
}

export interface RunningApp {
  name: string;
  port: number;
  child: ChildProcess;
  logFile: string;
}

export class BenchStack {
  readonly adminSecret = randomBytes(18).toString('hex');
  private readonly secretHashKey = randomBytes(24).toString('hex');
  readonly databaseUrl: string;
  readonly brokers: string[];
  readonly kafkaDataDir: string;
  private kafka?: LocalKafkaHandle;
  readonly apps: RunningApp[] = [];

  constructor(private readonly options: BenchStackOptions) {
    this.databaseUrl = withDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, options.databaseName);
    this.brokers = [`127.0.0.1:${options.kafkaPort}`];
    this.kafkaDataDir = path.join(ROOT, '.cache', 'kafka', `bench-${options.kafkaPort}`);
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.options.gatewayPort}`;
  }

  get kafkaPid(): number | undefined {
    return this.kafka?.pid;
  }

  /** The gateway on its port, the services on consecutive ports in the order of APPS. */
  portOf(app: string): number {
    if (app === 'gateway') return this.options.gatewayPort;
    const index = APPS.filter((candidate) => candidate.name !== 'gateway').findIndex((candidate) => candidate.name === app);
    if (index < 0) throw new Error(`unknown app ${app}`);
    return this.options.firstServicePort + index;
  }

  /** A fresh broker: a leftover from an interrupted run is stopped, the log dirs wiped (the cluster id kept). */
  async startKafka(): Promise<void> {
    await stopLocalKafka({ port: this.options.kafkaPort, dataDir: this.kafkaDataDir });
    rmSync(path.join(this.kafkaDataDir, 'kraft'), { recursive: true, force: true });
    const kafka = await startLocalKafka({ port: this.options.kafkaPort, dataDir: this.kafkaDataDir, stopWithParent: true });
    if (!kafka.startedByUs) {
      throw new Error(`127.0.0.1:${this.options.kafkaPort} already serves a Kafka broker the benchmark did not start: stop it first`);
    }
    this.kafka = kafka;
  }

  /** Drop and recreate the bench database (empty, not migrated yet). */
  async recreateDatabase(): Promise<void> {
    await dropDatabase(this.databaseUrl);
    await ensureDatabase(this.databaseUrl);
  }

  /** Every app's migrations, as `npm start` applies them. */
  async migrate(): Promise<void> {
    await migrateAll(this.databaseUrl);
  }

  /** Every contract topic, as `npm start` creates them. */
  async createTopics(): Promise<void> {
    await createTopics({ brokers: this.brokers.join(','), prefix: '', partitions: this.options.partitions });
  }

  /** Spawn every app and wait until each answers /health/ready. */
  async startApps(timeoutMs = 120_000): Promise<void> {
    for (const app of APPS) {
      const port = this.portOf(app.name);
      if (await isPortOpen(port)) throw new Error(`port ${port} (for ${app.name}) is in use: is another benchmark running?`);
    }
    buildApps();
    mkdirSync(this.options.logDir, { recursive: true });
    for (const app of APPS) this.apps.push(this.spawnApp(app.name));
    await Promise.all(this.apps.map((app) => this.waitReady(app, timeoutMs)));
  }

  private spawnApp(name: string): RunningApp {
    const port = this.portOf(name);
    const logFile = path.join(this.options.logDir, `${name}.log`);
    const log = openSync(logFile, 'w');
    // The hook is TypeScript, the app compiled: only a profiled run loads the transpiler, for the hook.
    const preload = this.options.profileDir ? ['-r', '@swc-node/register', '-r', path.join(ROOT, 'scripts', 'bench', 'profile-hook.ts')] : [];
    try {
      const child = spawn(process.execPath, [...APP_NODE_FLAGS, ...preload, appEntryPoint(name)], {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: this.databaseUrl,
          KAFKA_BROKERS: this.brokers.join(','),
          KAFKA_TOPIC_PREFIX: '',
          PORT: String(port),
          HOST: '127.0.0.1',
          ADMIN_SECRET: this.adminSecret,
          SECRET_HASH_KEY: this.secretHashKey,
          DATABASE_POOL_SIZE: String(this.options.poolSize),
          ...(this.options.profileDir ? { BENCH_PROFILE_DIR: this.options.profileDir, BENCH_PROFILE_NAME: name } : {}),
          ...this.options.env,
        },
        // The IPC channel's end (the benchmark killed) stops the app: nothing outlives it.
        stdio: ['ignore', log, log, 'ipc'],
      });
      child.channel?.unref();
      return { name, port, child, logFile };
    } finally {
      closeSync(log); // the child has its own copy
    }
  }

  private async waitReady(app: RunningApp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (app.child.exitCode !== null || app.child.signalCode !== null) {
        throw new Error(`${app.name} exited during start-up (${app.child.exitCode ?? app.child.signalCode})\n${tail(app.logFile)}`);
      }
      try {
        if ((await fetch(`http://127.0.0.1:${app.port}/health/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      await delay(250);
    }
    throw new Error(`${app.name} not ready after ${timeoutMs / 1000} s\n${tail(app.logFile)}`);
  }

  /** Fail with its last log lines if an app has exited: its figures would be meaningless. */
  assertRunning(): void {
    for (const app of this.apps) {
      if (app.child.exitCode !== null || app.child.signalCode !== null) {
        throw new Error(`${app.name} exited during the benchmark (${app.child.exitCode ?? app.child.signalCode})\n${tail(app.logFile)}`);
      }
    }
  }

  /** Send a signal to every app, or to those named (the profiler hook listens for SIGWINCH). */
  signalApps(signal: NodeJS.Signals, only?: readonly string[]): void {
    for (const app of this.apps) {
      if (only && !only.includes(app.name)) continue;
      if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill(signal);
    }
  }

  /** SIGTERM every app (SIGKILL after 15 s), then the broker (which they need to shut down cleanly). Safe to call twice. */
  async stop(): Promise<void> {
    await Promise.all(this.apps.map((app) => stopChild(app.child, 15_000)));
    await this.kafka?.stop();
    this.kafka = undefined;
  }

  /** Last resort on exit: SIGKILL whatever still runs (synchronous). */
  killNow(): void {
    for (const child of transientChildren) child.kill('SIGKILL');
    for (const app of this.apps) if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
    const pid = this.kafka?.pid;
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  async dropDatabase(): Promise<void> {
    await dropDatabase(this.databaseUrl);
  }
}

export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '';
  return `--- last lines of ${file} ---\n${readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')}`;
}

function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
