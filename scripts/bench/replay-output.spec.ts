import { summariseReplayOutput } from './replay-output';

const progress = (phase: string, done: number, at: number) =>
  JSON.stringify({ progress: { phase, done, total: 10_000, eventsPerSecond: 0, etaSeconds: null, at } });
const result = JSON.stringify({ result: { swapped: true, events: 10_000, seconds: 4, eventsPerSecond: 2_500, skipped: 2 } });

describe('summariseReplayOutput', () => {
  it('takes the result, the total and the fold pace from the first to the last rebuilding report', () => {
    const output = [
      progress('rebuilding', 0, 100),
      progress('rebuilding', 1_000, 1_000),
      'a warning on stderr',
      progress('rebuilding', 9_000, 3_000),
      progress('swapping', 10_000, 3_900),
      result,
    ].join('\n');
    expect(summariseReplayOutput(output)).toEqual({
      eventsInTopics: 10_000,
      eventsFolded: 10_000,
      skipped: 2,
      seconds: 4,
      eventsPerSecond: 2_500,
      foldEventsPerSecond: 4_000,
      swapped: true,
    });
  });

  it('has no fold pace with a single rebuilding report', () => {
    expect(summariseReplayOutput([progress('rebuilding', 500, 10), result].join('\n')).foldEventsPerSecond).toBeNull();
  });

  it('fails, quoting the output, when the replay printed no result', () => {
    expect(() => summariseReplayOutput('replay failed: connection refused')).toThrow(/connection refused/);
  });
});
