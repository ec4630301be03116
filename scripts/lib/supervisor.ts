import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { APP_NODE_FLAGS, appEntryPoint } from '../../libs/runtime/src/app-process';

/** How long an app may take to shut down gracefully (its own bound is 25 s) before it is killed. */
const STOP_GRACE_MS = 30_000;
const COLORS = [36, 32, 33, 35, 34];

export interface AppExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface RunningApp {
  child: ChildProcess;
  exited: Promise<AppExit>;
}

/**
 * Runs the compiled apps as child processes of `npm start`, each line of their output prefixed
 * with the app's name.
 *
 * Each app gets its own process group, so a terminal's Ctrl-C reaches `npm start` alone, which
 * then stops the apps (`stopAll`) before its broker. Each has an IPC channel to this process: if it dies
 * without stopping them (SIGKILL), the channel closes and every app shuts itself down.
 */
export class AppSupervisor {
  private readonly apps: RunningApp[] = [];
  private stopping = false;

  constructor(
    private readonly root: string,
    private readonly colored: boolean,
  ) {}

  start(name: string, env: NodeJS.ProcessEnv, onUnexpectedExit: (exit: AppExit) => void): void {
    const child = spawn(process.execPath, [...APP_NODE_FLAGS, appEntryPoint(name)], {
      cwd: this.root,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const color = COLORS[this.apps.length % COLORS.length];
    const prefix = this.colored ? `\u001b[${color}m[${name}]\u001b[0m ` : `[${name}] `;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
    }
    const exited = new Promise<AppExit>((resolve) => {
      child.once('error', () => resolve({ name, code: null, signal: null }));
      child.once('exit', (code, signal) => resolve({ name, code, signal }));
    });
    void exited.then((exit) => {
      if (!this.stopping) onUnexpectedExit(exit);
    });
    this.apps.push({ child, exited });
  }

  /** SIGTERM to every app at once (each drains on its own), SIGKILL to any still running after the grace period. */
  async stopAll(): Promise<AppExit[]> {
    this.stopping = true;
    return Promise.all(
      this.apps.map(async ({ child, exited }) => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        const exit = await exited;
        clearTimeout(timer);
        return exit;
      }),
    );
  }
}
