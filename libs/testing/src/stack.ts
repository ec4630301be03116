import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { APP_NODE_FLAGS, appEntryPoint } from '@omni/runtime';
import { waitFor } from './wait-for';

const ROOT = path.resolve(__dirname, '../../..');

export const SERVICE_APPS = ['device-service', 'recipient-service', 'profile-service', 'projection-service'] as const;
export type AppName = 'gateway' | (typeof SERVICE_APPS)[number];

export interface StackOptions {
  databaseUrl: string;
  brokers: string[];
  topicPrefix: string;
  /** How many gateway instances (each on its own port). */
  gateways?: number;
  env?: Record<string, string>;
}

interface RunningApp {
  name: AppName;
  port: number;
  process: ChildProcess;
  output: string[];
}

/**
 * Every app as its own process, as `npm start` runs them, on free loopback ports. For end-to-end
 * tests: `stop()` in afterAll; the output of each app is kept for assertions and failure reports.
 */
export class TestStack {
  readonly adminSecret = randomBytes(18).toString('base64url');
  private readonly secretHashKey = randomBytes(24).toString('base64url');
  private readonly apps: RunningApp[] = [];

  constructor(private readonly options: StackOptions) {}

  get gatewayUrls(): string[] {
    return this.apps.filter((app) => app.name === 'gateway').map((app) => `http://127.0.0.1:${app.port}`);
  }

  get gatewayUrl(): string {
    return this.gatewayUrls[0];
  }

  /** The base URL of the first instance of an app (health, metrics; the API on the gateway). */
  urlOf(name: AppName): string {
    const app = this.apps.find((candidate) => candidate.name === name);
    if (!app) throw new Error(`${name} is not running`);
    return `http://127.0.0.1:${app.port}`;
  }

  /** The process ids of the running apps. */
  pids(): number[] {
    return this.apps.flatMap((app) => (app.process.pid === undefined ? [] : [app.process.pid]));
  }

  output(name: AppName): string[] {
    return this.apps.filter((app) => app.name === name).flatMap((app) => app.output);
  }

  async start(): Promise<this> {
    const names: AppName[] = [...SERVICE_APPS, ...Array<AppName>(this.options.gateways ?? 1).fill('gateway')];
    for (const name of names) this.apps.push(this.spawn(name, await freePort()));
    await Promise.all(this.apps.map((app) => this.waitReady(app)));
    return this;
  }

  /**
   * Stop one app (all its instances) with `signal` — SIGKILL for a crash, SIGTERM for a graceful
   * shutdown — and start it again on the same port. Resolves once it is ready again.
   */
  async restart(name: AppName, signal: NodeJS.Signals = 'SIGKILL'): Promise<{ exitCode: number | null; exitSignal: string | null }[]> {
    const exits: { exitCode: number | null; exitSignal: string | null }[] = [];
    for (const [index, app] of this.apps.entries()) {
      if (app.name !== name) continue;
      await stopProcess(app.process, signal);
      exits.push({ exitCode: app.process.exitCode, exitSignal: app.process.signalCode });
      this.apps[index] = this.spawn(name, app.port);
      await this.waitReady(this.apps[index]);
    }
    return exits;
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((app) => stopProcess(app.process, 'SIGTERM')));
  }

  private spawn(name: AppName, port: number): RunningApp {
    const child = spawn(process.execPath, [...APP_NODE_FLAGS, appEntryPoint(name)], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: this.options.databaseUrl,
        KAFKA_BROKERS: this.options.brokers.join(','),
        KAFKA_TOPIC_PREFIX: this.options.topicPrefix,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
        ADMIN_SECRET: this.adminSecret,
        SECRET_HASH_KEY: this.secretHashKey,
        DATABASE_POOL_SIZE: '4',
        ...this.options.env,
      },
      // The IPC channel's end (this process killed) stops the app: nothing outlives the test run.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.channel?.unref();
    const output: string[] = [];
    const collect = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    return { name, port, process: child, output };
  }

  private async waitReady(app: RunningApp): Promise<void> {
    try {
      await waitFor(
        async () => {
          if (app.process.exitCode !== null) throw new Error(`${app.name} exited with ${app.process.exitCode}`);
          return (await fetch(`http://127.0.0.1:${app.port}/health/ready`)).ok;
        },
        { timeoutMs: 60_000, intervalMs: 200, description: `${app.name} ready` },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- ${app.name} output ---\n${app.output.slice(-30).join('\n')}`);
    }
  }
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
