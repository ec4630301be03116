/**
 * The V8 CPU profiler of the current process, through an in-process inspector session: started
 * and stopped around exactly the work to profile, written as a `.cpuprofile` (Chrome DevTools and
 * `cpu-profile.ts` read it).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

export interface RunningProfiler {
  /** Stop sampling and write the profile to `file` (under a temporary name first, then renamed). */
  stop(file: string): Promise<void>;
}

export function startProfiler(samplingIntervalMicros = 1_000): Promise<RunningProfiler> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  return (async () => {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: samplingIntervalMicros });
    await post('Profiler.start');
    return {
      async stop(file: string) {
        const { profile } = (await post('Profiler.stop')) as { profile: unknown };
        session.disconnect();
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(`${file}.partial`, JSON.stringify(profile));
        renameSync(`${file}.partial`, file);
      },
    };
  })();
}
