import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';

/**
 * A batch of units of work sharing one database transaction (see TransactionRunner.batch): work
 * to run once just before it commits, and after it has committed.
 */
export class SharedTransaction {
  private readonly beforeCommit = new Map<unknown, (em: EntityManager) => Promise<void>>();
  private readonly lastBeforeCommit = new Map<unknown, (em: EntityManager) => Promise<void>>();
  private readonly afterCommit: (() => void)[] = [];
  private readonly locals = new Map<unknown, unknown>();
  /** The first error a unit of work threw: the batch must not commit what came before it. */
  failure?: unknown;

  constructor(
    readonly dataSource: DataSource,
    readonly em: EntityManager,
  ) {}

  /**
   * Run `flush` just before commit, once however many units ask for it under `key` (e.g. one
   * insert of every outbox row of the batch rather than one per message). A flush takes the state
   * it writes out of the batch (drains it): asked again after it ran — by another flush — it runs
   * again, for what was added since. `last`: after every other flush (notifications of what the
   * others wrote).
   */
  once(key: unknown, flush: (em: EntityManager) => Promise<void>, options: { last?: boolean } = {}): void {
    const flushes = options.last ? this.lastBeforeCommit : this.beforeCommit;
    if (!flushes.has(key)) flushes.set(key, flush);
  }

  /** State that lives as long as the batch, under `key` (created by `init` on first use). */
  local<T>(key: unknown, init: () => T): T {
    if (!this.locals.has(key)) this.locals.set(key, init());
    return this.locals.get(key) as T;
  }

  /** Run `effect` once the batch has committed (never if it rolls back). */
  onCommit(effect: () => void): void {
    this.afterCommit.push(effect);
  }

  /**
   * Run the flushes asked for so far, now: what the units deferred is written before what comes
   * next (an erasure deletes what the batch wrote about the user, deferred writes included).
   */
  async flush(): Promise<void> {
    for (;;) {
      const flushes = this.beforeCommit.size > 0 ? this.beforeCommit : this.lastBeforeCommit;
      const next = flushes.entries().next();
      if (next.done) return;
      const [key, flush] = next.value;
      // Deleted before it runs: a flush that asks for another (or for itself) gets it, in turn.
      flushes.delete(key);
      await flush(this.em);
    }
  }

  /** @internal */
  committed(): void {
    for (const effect of this.afterCommit) effect();
  }
}

const shared = new AsyncLocalStorage<SharedTransaction>();

/** The batch whose transaction `em` is, if `em` runs one (for code that has an EntityManager, not a runner). */
export function batchOf(em: EntityManager): SharedTransaction | undefined {
  const open = shared.getStore();
  return open?.em === em ? open : undefined;
}

/**
 * Runs a unit of work in one database transaction: state changes, outbox rows and the inbox
 * claim commit together or not at all. READ COMMITTED: the data source sets it as every
 * connection's default (createServiceDataSource).
 *
 * Inside `batch`, every unit joins the batch's one transaction instead of committing its own: a
 * consumer folds a whole Kafka batch with one commit (one fsync) rather than one per message. A
 * unit that throws there fails the whole batch — it cannot be rolled back alone — and the caller
 * runs the batch's messages again one at a time.
 */
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const open = this.shared();
    if (!open) return this.dataSource.transaction(work);
    try {
      return await work(open.em);
    } catch (error) {
      open.failure ??= error;
      throw error;
    }
  }

  /**
   * Run `work` with every `run` inside it (in its async context) joining one transaction, which
   * commits when `work` resolves, after the units' `once` flushes — unless a unit threw, even one
   * whose error `work` caught: then nothing commits and that error is thrown. `onCommit` effects
   * run after the commit.
   */
  async batch<T>(work: () => Promise<T>): Promise<T> {
    if (this.shared()) throw new Error('a batch is already open in this context');
    let batch: SharedTransaction | undefined;
    const result = await this.dataSource.transaction(async (em) => {
      batch = new SharedTransaction(this.dataSource, em);
      const value = await shared.run(batch, work);
      if (batch.failure === undefined) await shared.run(batch, () => batch!.flush());
      if (batch.failure !== undefined) throw batch.failure;
      return value;
    });
    batch!.committed();
    return result;
  }

  /** The batch this call runs in, if any (on this runner's data source). */
  shared(): SharedTransaction | undefined {
    const open = shared.getStore();
    return open?.dataSource === this.dataSource ? open : undefined;
  }

  /** Run `effect` after the work's commit: at once outside a batch (its unit has committed), else once the batch has. */
  afterCommit(effect: () => void): void {
    const open = this.shared();
    if (open) open.onCommit(effect);
    else effect();
  }
}
