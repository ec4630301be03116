import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { APP_NODE_FLAGS, appEntryPoint } from '@omni/runtime';
import { AppName, freePort, waitFor } from '@omni/testing';

const ROOT = path.resolve(__dirname, '../../../..');

/** How a process ended: `code` when it exited by itself, `signal` when a signal killed it. */
export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The environment every app of one test stack shares (database, broker, secrets). */
export function stackEnvironment(options: { databaseUrl: string; brokers: string[]; topicPrefix: string; env?: Record<string, string> }): {
  adminSecret: string;
  env: Record<string, string>;
} {
  const adminSecret = randomBytes(18).toString('base64url');
  return {
    adminSecret,
    env: {
      DATABASE_URL: options.databaseUrl,
      KAFKA_BROKERS: options.brokers.join(','),
      KAFKA_TOPIC_PREFIX: options.topicPrefix,
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
      ADMIN_SECRET: adminSecret,
      SECRET_HASH_KEY: randomBytes(24).toString('base64url'),
      DATABASE_POOL_SIZE: '4',
      ...options.env,
    },
  };
}

/**
 * One app as its own process, started the way `npm start` starts it, under the test's full
 * control: send it any signal (SIGTERM, SIGKILL, SIGSTOP/SIGCONT to freeze it), see how it ended,
 * start it again on the same port. TestStack restarts an app at once; this one stays down until
 * `start()`, so that a test can look at what the app left behind when it exited.
 */
export class AppProcess {
  private child?: ChildProcess;
  private exit?: Promise<AppExit>;
  /** Output lines of the current (or last) run. */
  output: string[] = [];

  private constructor(
    readonly name: AppName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async create(name: AppName, env: Record<string, string>): Promise<AppProcess> {
    return new AppProcess(name, await freePort(), env);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawn the app and resolve once its readiness check passes. */
  async start(): Promise<this> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const child = spawn(process.execPath, [...APP_NODE_FLAGS, appEntryPoint(this.name)], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, PORT: String(this.port) },
      // The IPC channel's end (this process killed) stops the app: nothing outlives the test run.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.channel?.unref();
    const output: string[] = [];
    this.output = output;
    let partial = '';
    const collect = (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      output.push(...lines.filter(Boolean));
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.child = child;
    this.exit = new Promise<AppExit>((resolve) =>
      child.once('exit', (code, signal) => {
        if (partial) output.push(partial);
        resolve({ code, signal });
      }),
    );
    let exited = false;
    try {
      await Promise.race([
        waitFor(async () => !exited && (await fetch(`${this.url}/health/ready`)).ok, {
          timeoutMs: 60_000,
          intervalMs: 200,
          description: `${this.name} ready`,
        }),
        this.exit.then(({ code, signal }) => {
          exited = true;
          throw new Error(`${this.name} exited while starting (code ${code}, signal ${signal})`);
        }),
      ]);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- ${this.name} output ---\n${output.slice(-30).join('\n')}`);
    }
    return this;
  }

  /** Send a signal and return at once. */
  signal(signal: NodeJS.Signals): void {
    if (!this.child?.pid) throw new Error(`${this.name} was not started`);
    process.kill(this.child.pid, signal);
  }

  /** How the current run ends (resolves when the process has exited). */
  exited(): Promise<AppExit> {
    if (!this.exit) throw new Error(`${this.name} was not started`);
    return this.exit;
  }

  /**
   * Send `signal` and wait for the process to end; after `timeoutMs` it is killed (SIGKILL), which
   * the returned exit shows. A process already ended returns how it ended.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<AppExit> {
    const exit = this.exited();
    if (this.running) {
      this.signal(signal);
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
      await exit;
      clearTimeout(timer);
    }
    return exit;
  }

  /** The JSON log lines of the current (or last) run. */
  logs(): Record<string, unknown>[] {
    return this.output.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }
}
