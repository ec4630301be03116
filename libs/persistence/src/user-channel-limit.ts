import { EntityManager } from 'typeorm';
import { batchOf } from './transaction';

/** A user of an application. */
export interface UserRef {
  application: string;
  userId: string;
}

interface KnownCount {
  /** The user's channels when the batch locked them. */
  counted: number;
  /** Channels the batch attached to the user since, by this guard's leave. */
  attached: number;
}

/**
 * Holds a limit on the channels of one kind a user may have, under concurrency: every attach to a
 * user first takes a lock named after the user (held until the transaction ends), then counts.
 * A consumer's batch locks every user its commands name at its start (in one order, so batches
 * never deadlock) and counts their channels with one statement; an attach then passes without a
 * statement while that count plus the batch's own attaches stays under the limit, and is counted
 * exactly (after the batch's deferred writes) only near it.
 */
export class UserChannelLimit {
  private readonly slot: symbol;

  constructor(
    /** Names the lock: one per kind of channel. */
    private readonly kind: string,
    /** The channels of each user, counted (in this transaction, after the locks). */
    private readonly countAll: (em: EntityManager, users: readonly UserRef[]) => Promise<(UserRef & { count: number })[]>,
    /** One user's channels but `except`, after the batch's deferred writes are written. */
    private readonly countExact: (em: EntityManager, user: UserRef, except: readonly string[]) => Promise<number>,
  ) {
    this.slot = Symbol(`${kind}: counts of the batch`);
  }

  /** In a consumer's batch: lock the users its commands name and count their channels, with two statements. */
  async preload(em: EntityManager, users: readonly UserRef[]): Promise<void> {
    const counts = this.countsOf(em);
    if (!counts) return;
    const wanted = new Map<string, UserRef>();
    for (const user of users) if (!counts.has(keyOf(user))) wanted.set(keyOf(user), user);
    if (wanted.size === 0) return;
    const names = [...wanted.values()].map((user) => this.lockName(user)).sort();
    // The subquery's order is the order the locks are taken in.
    await em.query('SELECT pg_advisory_xact_lock(hashtextextended(name, 0)) FROM (SELECT name FROM unnest($1::text[]) AS name ORDER BY name) AS ordered', [names]);
    const found = new Map((await this.countAll(em, [...wanted.values()])).map((row) => [keyOf(row), row.count]));
    for (const [key] of wanted) counts.set(key, { counted: found.get(key) ?? 0, attached: 0 });
  }

  /**
   * Whether one more channel may be attached to `user` (who has at most `limit - 1` others but
   * `except`), holding the user's lock until the transaction ends.
   */
  async allows(em: EntityManager, user: UserRef, except: readonly string[], limit: number): Promise<boolean> {
    const known = this.countsOf(em)?.get(keyOf(user));
    // At most what the batch counted plus what it attached since: under the limit, no need to count.
    if (known && known.counted + known.attached < limit) {
      known.attached += 1;
      return true;
    }
    if (!known) await em.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [this.lockName(user)]);
    const allowed = (await this.countExact(em, user, except)) < limit;
    if (allowed && known) known.attached += 1;
    return allowed;
  }

  private countsOf(em: EntityManager): Map<string, KnownCount> | undefined {
    return batchOf(em)?.local(this.slot, () => new Map<string, KnownCount>());
  }

  private lockName(user: UserRef): string {
    return JSON.stringify([this.kind, user.application, user.userId]);
  }
}

function keyOf(user: UserRef): string {
  return `${user.application}\u0000${user.userId}`;
}
