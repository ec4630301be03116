/**
 * The replay's own process, compiled like the apps (ADR 0011): `npm run cli -- replay` builds the
 * apps and runs this file with `REPLAY_NODE_FLAGS`; in the image,
 * `node --max-old-space-size=160 --max-semi-space-size=8 dist/apps/projection-service/src/replay/main.js`.
 *
 *   [--restart] [--keep-old] [--allow-truncated-history] [--json]
 *
 * A progress bar, or with `--json` one line per progress report (`{"progress": …}`, `at` in ms since
 * the process started) and one for the result (`{"result": …}`), for scripts and the benchmark. Ctrl-C stops after the batch in progress;
 * running it again resumes. Configuration: DATABASE_URL, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX (as the
 * services). Exits 0 once swapped in, 130 when interrupted, 1 on failure.
 */
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BROKERS } from '@omni/config';
import { createLogger } from '@omni/observability';
import { replay, ReplayProgress, ReplayResult } from './replay';

interface ReplayFlags {
  restart: boolean;
  keepOld: boolean;
  allowTruncatedHistory: boolean;
  json: boolean;
}

async function main(flags: ReplayFlags): Promise<number> {
  const logger = createLogger('projection-replay', (process.env.LOG_LEVEL as 'warn' | undefined) ?? 'warn');
  const report = flags.json ? jsonReport() : barReport();
  const abort = new AbortController();
  process.once('SIGINT', () => {
    abort.abort();
    process.stderr.write('\nstopping after the batch in progress; run the replay again to resume\n');
  });
  const result = await replay({
    databaseUrl: process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    kafka: {
      brokers: (process.env.KAFKA_BROKERS || DEFAULT_KAFKA_BROKERS).split(','),
      clientId: 'projection-replay',
      topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? '',
    },
    logger,
    restart: flags.restart,
    keepOld: flags.keepOld,
    allowTruncatedHistory: flags.allowTruncatedHistory,
    signal: abort.signal,
    onProgress: report.progress,
  });
  report.result(result);
  return result.swapped ? 0 : 130;
}

function printLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

interface Report {
  progress(progress: ReplayProgress): void;
  result(result: ReplayResult): void;
}

function jsonReport(): Report {
  return {
    progress: (progress) => printLine(JSON.stringify({ progress: { ...progress, at: Math.round(performance.now()) } })),
    result: (result) => printLine(JSON.stringify({ result })),
  };
}

function barReport(): Report {
  const bar = new SingleBar({
    format: 'replay [{bar}] {percentage}% | {value}/{total} events | {speed} events/s | ETA {etaText} | {phase}',
    hideCursor: true,
    etaBuffer: 50,
  });
  let started = false;
  return {
    progress: (p) => {
      const payload = { speed: Math.round(p.eventsPerSecond), etaText: p.etaSeconds === null ? '-' : `${Math.ceil(p.etaSeconds)}s`, phase: p.phase };
      if (!started) {
        bar.start(p.total, p.done, payload);
        started = true;
      }
      bar.setTotal(p.total);
      bar.update(p.done, payload);
    },
    result: (result) => {
      bar.stop();
      printLine(
        result.swapped
          ? `read model rebuilt and swapped in: ${result.events} events in ${result.seconds.toFixed(1)} s (${Math.round(result.eventsPerSecond)} events/s)` +
              (result.skipped ? `, ${result.skipped} undecodable or rejected message(s) skipped` : '')
          : `interrupted after ${result.events} events: run again to resume`,
      );
    },
  };
}

const program = new Command()
  .name('replay')
  .description('rebuild the read model from the event topics and swap it in (resumes an interrupted run)')
  .option('--restart', 'drop an interrupted rebuild and start over', false)
  .option('--keep-old', 'keep the replaced read model as projection_retired_<time>', false)
  .option(
    '--allow-truncated-history',
    'rebuild even if an event topic partition no longer starts at offset 0 (retention deleted its first events); ' +
      'the rebuilt read model then lacks them. Without it the replay refuses, naming the topic and partition',
    false,
  )
  .option('--json', 'one JSON line per progress report and one for the result, instead of a progress bar', false)
  .action(async (flags: ReplayFlags) => {
    process.exitCode = await main(flags);
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`replay failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
