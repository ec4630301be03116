/**
 * Preloaded into each app by `npm run bench -- --profile` (`node -r @swc-node/register -r
 * scripts/bench/profile-hook.ts dist/apps/<app>/src/main.js`): SIGWINCH starts the V8 CPU profiler,
 * the next SIGWINCH stops it and writes `<BENCH_PROFILE_DIR>/<BENCH_PROFILE_NAME>-<n>.cpuprofile`.
 *
 * A signal rather than `--cpu-prof` because the apps end by re-raising SIGTERM once shut down
 * (Nest's shutdown hooks), and a process ended by a signal never writes its `--cpu-prof` file;
 * it also lets the runner profile only the phases it means to (the write path), not the start-up.
 * SIGWINCH because nothing else in an app listens to it and its default action is to ignore it
 * (an app without the hook is not harmed): Nest's shutdown hooks take every other candidate,
 * SIGUSR2 included, and SIGUSR1 opens Node's inspector.
 */
import path from 'node:path';
import { RunningProfiler, startProfiler } from './profiler';

const dir = process.env.BENCH_PROFILE_DIR;
const name = process.env.BENCH_PROFILE_NAME ?? `pid-${process.pid}`;

if (dir) {
  let profiler: Promise<RunningProfiler> | undefined;
  let part = 0;
  process.on('SIGWINCH', () => {
    const running = profiler;
    if (!running) {
      profiler = startProfiler();
      return;
    }
    profiler = undefined;
    const file = path.join(dir, `${name}-${part}.cpuprofile`);
    part += 1;
    running.then((p) => p.stop(file)).catch((error: unknown) => console.error(`[profile-hook] ${name}: ${String(error)}`));
  });
}
