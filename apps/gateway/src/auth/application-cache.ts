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
 */
@Injectable()
export class ApplicationCache {
  private readonly entries = new Map<string, { record?: ApplicationRecord; expires: number }>();

  constructor(
    @Inject(ApplicationsStore) private readonly store: ApplicationsStore,
    @Inject(PgListener) listener: PgListener,
  ) {
    listener.subscribe(APPLICATION_CHANGED_CHANNEL, (applicationKey) => this.entries.delete(applicationKey));
    listener.onReconnect(() => this.entries.clear());
  }

  /** Drop one application now (this instance changed it: its next request must see the change). */
  forget(applicationKey: string): void {
    this.entries.delete(applicationKey);
  }

  async get(applicationKey: string): Promise<ApplicationRecord | undefined> {
    const cached = this.entries.get(applicationKey);
    if (cached && cached.expires > Date.now()) return cached.record;
    const record = await this.store.find(applicationKey);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(applicationKey, { record, expires: Date.now() + (record ? TTL_MS : MISS_TTL_MS) });
    return record;
  }
}
