/**
 * The benchmark's replay, in its own process (so that its memory and CPU profile are its own):
 * the same `replay()` that `npm run cli -- replay` runs, with `--restart`, minus the progress bar.
 * Prints one line `BENCH_REPLAY_RESULT <json>` for the runner, then exits.
 *
 * Environment: DATABASE_URL, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX (as the services); with
 * BENCH_PROFILE_FILE, the CPU profile of the replay (not of the process's start-up) is written there.
 */
import { replay } from '../../apps/projection-service/src/replay/replay';
import { DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BROKERS } from '../../libs/config/src';
import { createLogger } from '../../libs/observability/src';
import { startProfiler } from './profiler';

export const REPLAY_RESULT_PREFIX = 'BENCH_REPLAY_RESULT ';

export interface ReplayRunnerOutput {
  eventsInTopics: number;
  eventsFolded: number;
  skipped: number;
  seconds: number;
  eventsPerSecond: number;
  foldEventsPerSecond: number | null;
  swapped: boolean;
}

async function main(): Promise<void> {
  const logger = createLogger('projection-replay', 'warn');
  let total = 0;
  let firstFold: { at: number; done: number } | undefined;
  let lastFold: { at: number; done: number } | undefined;
  const profileFile = process.env.BENCH_PROFILE_FILE;
  const profiler = profileFile ? await startProfiler() : undefined;
  const result = await replay({
    databaseUrl: process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    kafka: {
      brokers: (process.env.KAFKA_BROKERS || DEFAULT_KAFKA_BROKERS).split(','),
      clientId: 'projection-replay',
      topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? '',
    },
    logger,
    restart: true,
    onProgress: (progress) => {
      total = progress.total;
      if (progress.phase !== 'rebuilding' || progress.done === 0) return;
      const reading = { at: performance.now(), done: progress.done };
      firstFold ??= reading;
      lastFold = reading;
    },
  });
  if (profiler && profileFile) await profiler.stop(profileFile);
  const foldSeconds = firstFold && lastFold ? (lastFold.at - firstFold.at) / 1000 : 0;
  const output: ReplayRunnerOutput = {
    eventsInTopics: total,
    eventsFolded: result.events,
    skipped: result.skipped,
    seconds: result.seconds,
    eventsPerSecond: result.eventsPerSecond,
    // From the end of the first batch to the end of the last: the fold's own pace.
    foldEventsPerSecond: firstFold && lastFold && foldSeconds > 0 ? (lastFold.done - firstFold.done) / foldSeconds : null,
    swapped: result.swapped,
  };
  console.log(`${REPLAY_RESULT_PREFIX}${JSON.stringify(output)}`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('[bench replay] failed:', error);
      process.exit(1);
    },
  );
}
