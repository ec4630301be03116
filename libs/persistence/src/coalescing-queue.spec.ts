import { CoalescingQueue } from './coalescing-queue';

describe('CoalescingQueue', () => {
  it('runs the first item at once, the ones that arrive meanwhile together (as many as take allows), in order', async () => {
    const runs: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const queue = new CoalescingQueue<number, string>(
      async (items) => {
        runs.push(items);
        if (runs.length === 1) await first;
        return items.map((item) => `done ${item}`);
      },
      (waiting) => Math.min(waiting.length, 2),
    );
    const results = [1, 2, 3, 4].map((item) => queue.submit(item));
    release();
    await expect(Promise.all(results)).resolves.toEqual(['done 1', 'done 2', 'done 3', 'done 4']);
    expect(runs).toEqual([[1], [2, 3], [4]]);
  });

  it('a failed run fails its own items only', async () => {
    const queue = new CoalescingQueue<number, number>(
      async (items) => {
        if (items.includes(1)) throw new Error('boom');
        return items;
      },
      (waiting) => waiting.length,
    );
    const failed = queue.submit(1);
    const next = queue.submit(2);
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe(2);
  });
});
