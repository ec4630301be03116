/**
 * `npm run cli -- replay`: rebuild the projection's read model from the event topics and swap it in
 * (see apps/projection-service/src/replay/replay.ts). Reads keep working throughout; Ctrl-C stops
 * after the batch in progress, and running it again resumes where it stopped (`--restart` starts over).
 *
 * Configuration: DATABASE_URL, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX (as the services).
 * A deployment must keep the whole history of device.events, recipient.events and profile.events:
 * `retention.ms=-1` (and no `retention.bytes`), which `npm run kafka:topics` sets when it creates them.
 * If a partition of them no longer starts at offset 0 (its beginning was deleted), the replay refuses
 * and changes nothing, naming the topic and partition; `--allow-truncated-history` rebuilds from what
 * is left (the rebuilt read model then lacks the deleted events).
 */
import { SingleBar } from 'cli-progress';
import { DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BROKERS } from '../libs/config/src';
import { createLogger } from '../libs/observability/src';
import { replay } from '../apps/projection-service/src/replay/replay';

export interface ReplayCommandOptions {
  restart?: boolean;
  keepOld?: boolean;
  allowTruncatedHistory?: boolean;
}

export async function runReplay(options: ReplayCommandOptions): Promise<void> {
  const logger = createLogger('projection-replay', process.env.LOG_LEVEL === undefined ? 'warn' : (process.env.LOG_LEVEL as 'warn'));
  const bar = new SingleBar({
    format: 'replay [{bar}] {percentage}% | {value}/{total} events | {speed} events/s | ETA {etaText} | {phase}',
    hideCursor: true,
    etaBuffer: 50,
  });
  const abort = new AbortController();
  process.once('SIGINT', () => {
    abort.abort();
    console.error('\nstopping after the batch in progress; run `npm run cli -- replay` again to resume');
  });
  let started = false;
  const result = await replay({
    databaseUrl: process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    kafka: { brokers: (process.env.KAFKA_BROKERS || DEFAULT_KAFKA_BROKERS).split(','), clientId: 'projection-replay', topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? '' },
    logger,
    restart: options.restart,
    keepOld: options.keepOld,
    allowTruncatedHistory: options.allowTruncatedHistory,
    signal: abort.signal,
    onProgress: (p) => {
      const payload = { speed: Math.round(p.eventsPerSecond), etaText: p.etaSeconds === null ? '-' : `${Math.ceil(p.etaSeconds)}s`, phase: p.phase };
      if (!started) {
        bar.start(p.total, p.done, payload);
        started = true;
      }
      bar.setTotal(p.total);
      bar.update(p.done, payload);
    },
  });
  bar.stop();
  console.log(
    result.swapped
      ? `read model rebuilt and swapped in: ${result.events} events in ${result.seconds.toFixed(1)} s (${Math.round(result.eventsPerSecond)} events/s)` +
          (result.skipped ? `, ${result.skipped} undecodable or rejected message(s) skipped` : '')
      : `interrupted after ${result.events} events: run again to resume`,
  );
  if (!result.swapped) process.exitCode = 130;
}
