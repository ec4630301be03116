import { Inject, Injectable } from '@nestjs/common';
import { PgListener } from '../database/pg-listener';
import { APPLICATION_CHANGED_CHANNEL, ApplicationRecord, ApplicationsStore } from '../applications/applications.store';

const TTL_MS = 60_000;
/** Unknown keys are remembered briefly too, so guessing keys does not hit the database each time. */
const MISS_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * Applications by key, for authentication without a database round trip per request. An entry is
 * dropped on every gateway at once when the application changes (NOTIFY from the writer's
 * transaction), everything is dropped after the listener reconnects, and the TTL bounds staleness
 * if a notification is ever lost.
 *
 * A database read that was in flight when its key was invalidated (or the whole cache cleared)
 * may hold the record as it was before the change: its result answers the request that asked
 * (which ran concurrently with the change) but is never cached. Invalidations are ordered by a
 * counter; each key with reads in flight remembers when it was last invalidated.
 */
@Injectable()
export class ApplicationCache {
  private readonly entries = new Map<string, { record?: ApplicationRecord; expires: number }>();
  /** Keys with database reads in flight: how many, and the invalidation count at their last invalidation. */
  private readonly loading = new Map<string, { reads: number; invalidatedAt: number }>();
  /** Counts invalidations (of one key or of all): a read compares it before and after. */
  private invalidations = 0;
  private clearedAt = 0;

  constructor(
    @Inject(ApplicationsStore) private readonly store: ApplicationsStore,
    @Inject(PgListener) listener: PgListener,
  ) {
    listener.subscribe(APPLICATION_CHANGED_CHANNEL, (applicationKey) => this.forget(applicationKey));
    // Notifications may have been lost while the listener was disconnected.
    listener.onReconnect(() => this.clear());
  }

  /** Drop one application now (changed here or on another instance: the next request must see the change). */
  forget(applicationKey: string): void {
    this.invalidations++;
    this.entries.delete(applicationKey);
    const loading = this.loading.get(applicationKey);
    if (loading) loading.invalidatedAt = this.invalidations;
  }

  /** Drop every application (reads in flight are not cached either). */
  clear(): void {
    this.invalidations++;
    this.clearedAt = this.invalidations;
    this.entries.clear();
  }

  async get(applicationKey: string): Promise<ApplicationRecord | undefined> {
    const cached = this.entries.get(applicationKey);
    if (cached && cached.expires > Date.now()) return cached.record;

    const startedAt = this.invalidations;
    const loading = this.loading.get(applicationKey) ?? { reads: 0, invalidatedAt: 0 };
    loading.reads++;
    this.loading.set(applicationKey, loading);
    let record: ApplicationRecord | undefined;
    try {
      record = await this.store.find(applicationKey);
    } finally {
      if (--loading.reads === 0) this.loading.delete(applicationKey);
    }
    // Read before an invalidation of this key (or a clear): possibly the old record, so not kept.
    if (loading.invalidatedAt > startedAt || this.clearedAt > startedAt) return record;

    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(applicationKey, { record, expires: Date.now() + (record ? TTL_MS : MISS_TTL_MS) });
    return record;
  }
}
