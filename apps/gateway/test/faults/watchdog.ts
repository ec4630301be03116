/**
 * The fault suite's guard, run as its own detached process (`node -r @swc-node/register
 * watchdog.ts <state file>`): if the test process dies without cleaning up (jest killed, a
 * crash, Ctrl-C), or the suite overruns its deadline, it kills every process of the private
 * stack, stops its PostgreSQL and removes its directories. The test process keeps the state file
 * current and ends the watchdog (SIGTERM) after its own cleanup.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

export interface WatchdogState {
  /** The process whose death triggers the cleanup. */
  parentPid: number;
  /** Epoch ms after which everything is stopped even if the parent lives (the suite's time bound). */
  deadline: number;
  /** Process groups (detached children) to SIGKILL. */
  processGroups: number[];
  /** Command that stops the private PostgreSQL at once. */
  stopPostgres?: string[];
  /** Directories to remove last (data, port lock). */
  removeDirs: string[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readState(file: string): WatchdogState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as WatchdogState;
  } catch {
    return undefined;
  }
}

function cleanUp(state: WatchdogState): void {
  for (const pid of state.processGroups) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  if (state.stopPostgres) {
    const [command, ...args] = state.stopPostgres;
    try {
      execFileSync(command, args, { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // not running
    }
  }
  for (const dir of state.removeDirs) rmSync(dir, { recursive: true, force: true });
}

function main(stateFile: string): void {
  let last = readState(stateFile);
  process.on('SIGTERM', () => process.exit(0));
  const timer = setInterval(() => {
    last = readState(stateFile) ?? last;
    if (!last) return;
    if (!alive(last.parentPid) || Date.now() > last.deadline) {
      clearInterval(timer);
      cleanUp(last);
      process.exit(0);
    }
  }, 500);
}

if (require.main === module) main(process.argv[2]);
