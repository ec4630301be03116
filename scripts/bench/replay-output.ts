import type { ReplayProgress, ReplayResult } from '../../apps/projection-service/src/replay/replay';
import type { ReplayResultSummary } from './results';

/**
 * The benchmark's figures from what the replay printed with `--json` (apps/projection-service/src/replay/main.ts):
 * its result, the events in the topics when it started, and the fold's own pace (from the end of the
 * first batch of the rebuilding phase to the end of its last). Throws when no result was printed.
 */
export function summariseReplayOutput(output: string): ReplayResultSummary {
  let total = 0;
  let result: ReplayResult | undefined;
  const folded: { at: number; done: number }[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as { progress?: ReplayProgress & { at?: number }; result?: ReplayResult };
    if (parsed.result) result = parsed.result;
    const progress = parsed.progress;
    if (!progress) continue;
    total = progress.total;
    if (progress.phase === 'rebuilding' && progress.done > 0 && progress.at !== undefined) folded.push({ at: progress.at, done: progress.done });
  }
  if (!result) throw new Error(`the replay printed no result: ${output.slice(-1_500)}`);
  const first = folded[0];
  const last = folded.at(-1);
  const foldSeconds = first && last ? (last.at - first.at) / 1000 : 0;
  return {
    eventsInTopics: total,
    eventsFolded: result.events,
    skipped: result.skipped,
    seconds: result.seconds,
    eventsPerSecond: result.eventsPerSecond,
    foldEventsPerSecond: first && last && foldSeconds > 0 ? (last.done - first.done) / foldSeconds : null,
    swapped: result.swapped,
  };
}
