interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Items that arrive while the previous run is in flight go together in the next one: one statement,
 * one commit or one produce request for many callers. An item alone goes at once. Runs never
 * overlap, and items are served in the order they arrived.
 */
export class CoalescingQueue<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private running = false;

  constructor(
    /** The work for a group of items: one result per item, in order. A throw fails the whole group. */
    private readonly run: (items: T[]) => Promise<R[]>,
    /** How many of the waiting items the next run takes (at least one is taken). */
    private readonly take: (waiting: readonly T[]) => number,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const count = Math.max(1, this.take(this.waiting.map((waiting) => waiting.item)));
        const group = this.waiting.splice(0, count);
        try {
          const results = await this.run(group.map((waiting) => waiting.item));
          group.forEach((waiting, index) => waiting.resolve(results[index]));
        } catch (error) {
          for (const waiting of group) waiting.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
