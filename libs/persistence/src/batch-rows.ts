import { EntityManager } from 'typeorm';
import { batchOf } from './transaction';

/** A row's new state, and the version its stored row must still be at (0: it has none yet). */
export interface DeferredWrite<T> {
  state: T;
  storedVersion: number;
}

interface BatchState<T> {
  /** The latest state of each row loaded or written in the batch; null: no such row. */
  known: Map<string, T | null>;
  /** Writes not yet sent, one per row (its latest state; the version it was loaded at). */
  pending: Map<string, DeferredWrite<T>>;
}

/**
 * The rows of one table a consumer's batch (TransactionRunner.batch) works on: loaded for change
 * for all its commands with one statement, kept here as each command changes them, and written
 * back with one multi-row statement just before the batch commits — instead of a read and a write
 * per command. A read that a deferred write must show in (by another column, say) calls `flush`
 * first. Outside a batch nothing is kept: `cached` knows nothing and `defer` declines.
 *
 * The repository owns the SQL; this keeps the batch's state. Keys are the repository's own
 * (application and id, say) and must be one string per row.
 */
export class BatchRows<T> {
  private readonly slot: symbol;

  constructor(
    name: string,
    /** Writes the batch's rows in one go; fails (a serialization failure) if a row was not at its stored version. */
    private readonly writeAll: (em: EntityManager, writes: DeferredWrite<T>[]) => Promise<void>,
  ) {
    this.slot = Symbol(name);
  }

  /**
   * Remember rows the batch loaded (null: none under that key). What the batch already knows stays,
   * unless it knew the row as absent and has not written it since: another transaction may have
   * inserted it meanwhile (an absent row cannot be locked).
   */
  remember(em: EntityManager, key: string, state: T | null): void {
    const current = this.state(em);
    if (!current) return;
    if (!current.known.has(key) || (current.known.get(key) === null && state !== null && !current.pending.has(key))) current.known.set(key, state);
  }

  /** The row is gone (the repository deleted it, after a `flush`). */
  deleted(em: EntityManager, key: string): void {
    this.state(em)?.known.set(key, null);
  }

  /** The row as the batch last saw it: null when it has none, undefined when the batch never loaded it. */
  cached(em: EntityManager, key: string): T | null | undefined {
    return this.state(em)?.known.get(key);
  }

  /** Keep a row's new state to write before the batch commits; false outside a batch (the caller writes it now). */
  defer(em: EntityManager, key: string, state: T, storedVersion: number): boolean {
    const batch = batchOf(em);
    const current = this.state(em);
    if (!batch || !current) return false;
    current.known.set(key, state);
    const earlier = current.pending.get(key);
    current.pending.set(key, { state, storedVersion: earlier?.storedVersion ?? storedVersion });
    batch.once(this.slot, (batchEm) => this.flush(batchEm));
    return true;
  }

  /** Write what the batch deferred so far, now. */
  async flush(em: EntityManager): Promise<void> {
    const pending = this.state(em)?.pending;
    if (!pending || pending.size === 0) return;
    const writes = [...pending.values()];
    pending.clear();
    await this.writeAll(em, writes);
  }

  private state(em: EntityManager): BatchState<T> | undefined {
    return batchOf(em)?.local(this.slot, () => ({ known: new Map<string, T | null>(), pending: new Map<string, DeferredWrite<T>>() }));
  }
}
