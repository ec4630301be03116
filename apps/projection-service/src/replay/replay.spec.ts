import { TruncatedHistoryError, truncatedPartitions } from './replay';

const offsets = (entries: [string, number, number][]) => new Map(entries.map(([topic, partition, offset]) => [`${topic}|${partition}`, offset]));

describe('the replay refuses event topics whose history was partly deleted', () => {
  it('a fresh rebuild needs every partition from offset 0', () => {
    const lows = offsets([
      ['device.events', 0, 0],
      ['device.events', 1, 42],
      ['profile.events', 2, 0],
    ]);
    expect(truncatedPartitions(lows, new Map())).toEqual([{ topic: 'device.events', partition: 1, firstOffset: 42, neededFrom: 0 }]);
    expect(truncatedPartitions(offsets([['device.events', 0, 0]]), new Map())).toEqual([]);
  });

  it('a resumed rebuild needs each partition from its checkpoint only', () => {
    const lows = offsets([
      ['recipient.events', 0, 10],
      ['recipient.events', 1, 10],
      ['recipient.events', 2, 10],
    ]);
    const checkpoints = offsets([
      ['recipient.events', 0, 10], // folded up to 9: nothing missing
      ['recipient.events', 1, 25], // folded beyond the low watermark: nothing missing
      ['recipient.events', 2, 4], // events 4..9 were deleted before the rebuild folded them
    ]);
    expect(truncatedPartitions(lows, checkpoints)).toEqual([{ topic: 'recipient.events', partition: 2, firstOffset: 10, neededFrom: 4 }]);
  });

  it('names each topic and partition, and the way to go on anyway', () => {
    const error = new TruncatedHistoryError([
      { topic: 'prod.device.events', partition: 1, firstOffset: 42, neededFrom: 0 },
      { topic: 'prod.profile.events', partition: 0, firstOffset: 7, neededFrom: 0 },
    ]);
    expect(error.message).toContain('topic prod.device.events partition 1 (starts at offset 42, needed from 0)');
    expect(error.message).toContain('topic prod.profile.events partition 0 (starts at offset 7, needed from 0)');
    expect(error.message).toContain('--allow-truncated-history');
  });
});
