import { EntityManager } from 'typeorm';
import { queryRows } from './query-rows';
import { batchOf } from './transaction';

/** A user of an application. */
export interface UserRef {
  application: string;
  userId: string;
}

interface KnownCount {
  /** The user's channels when the batch locked them. */
  counted: number;
  /** Attaches this guard allowed since (written or not: an upper bound). */
  attached: number;
}

/**
 * Holds a limit on the channels of one kind a user may have, under concurrency: every attach to a
 * user first takes a lock named after the user (held until the transaction ends), then counts.
 * A consumer's batch locks, at its start and in one order, every user its commands name or its
 * aggregates belong to, and counts their channels with one statement; an attach then passes without
 * a statement while that count plus the batch's own attaches stays under the limit, and is counted
 * exactly (after the batch's deferred writes) only near it. A user the batch did not foresee is
 * locked when an attach asks: should two batches then wait for each other, PostgreSQL rolls one
 * back (40P01) and its messages run one at a time.
 */
export class UserChannelLimit {
  private readonly slot: symbol;
  private readonly countAllSql: string;
  private readonly countOneSql: string;

  constructor(
    private readonly spec: {
      /** Names the lock: one per kind of channel. */
      kind: string;
      /** The channels' table (qualified, quoted), its id column, and which of its rows count (an SQL condition on its columns). */
      table: string;
      idColumn: string;
      counted: string;
      /** Runs before an exact count: writes what the batch deferred to the table. */
      beforeCount: (em: EntityManager) => Promise<void>;
    },
  ) {
    const { kind, table, idColumn, counted } = spec;
    this.slot = Symbol(`${kind}: counts of the batch`);
    this.countAllSql = `SELECT application, user_id, count(*)::int AS count FROM ${table}
      WHERE (application, user_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND ${counted}
      GROUP BY application, user_id`;
    this.countOneSql = `SELECT count(*)::int AS count FROM ${table}
      WHERE application = $1 AND user_id = $2 AND ${counted} AND ${idColumn} <> ALL($3::text[])`;
  }

  /** In a consumer's batch: lock the users its commands name and count their channels, with two statements. */
  async preload(em: EntityManager, users: readonly UserRef[]): Promise<void> {
    const counts = this.countsOf(em);
    if (!counts) return;
    const wanted = new Map<string, UserRef>();
    for (const user of users) if (!counts.has(keyOf(user))) wanted.set(keyOf(user), user);
    if (wanted.size === 0) return;
    const counting = [...wanted.values()];
    const names = counting.map((user) => this.lockName(user));
    // The subquery's order is the order the locks are taken in.
    await em.query('SELECT pg_advisory_xact_lock(hashtextextended(name, 0)) FROM (SELECT name FROM unnest($1::text[]) AS name ORDER BY name) AS ordered', [names]);
    const rows = await queryRows<{ application: string; user_id: string; count: number }>(em, this.countAllSql, [
      counting.map((user) => user.application),
      counting.map((user) => user.userId),
    ]);
    const found = new Map(rows.map((row) => [keyOf({ application: row.application, userId: row.user_id }), row.count]));
    for (const [key] of wanted) counts.set(key, { counted: found.get(key) ?? 0, attached: 0 });
  }

  /**
   * Whether one more channel may be attached to `user`: the user holds fewer than `limit` channels
   * besides `except` (those the change itself concerns). The user's lock is held until the
   * transaction ends.
   */
  async allows(em: EntityManager, user: UserRef, except: readonly string[], limit: number): Promise<boolean> {
    const known = this.countsOf(em)?.get(keyOf(user));
    // At most what the batch counted plus what it attached since: under the limit, no need to count.
    if (known && known.counted + known.attached < limit) {
      known.attached += 1;
      return true;
    }
    if (!known) await em.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [this.lockName(user)]);
    await this.spec.beforeCount(em);
    const [{ count }] = await queryRows<{ count: number }>(em, this.countOneSql, [user.application, user.userId, except]);
    const allowed = count < limit;
    if (allowed && known) known.attached += 1;
    return allowed;
  }

  private countsOf(em: EntityManager): Map<string, KnownCount> | undefined {
    return batchOf(em)?.local(this.slot, () => new Map<string, KnownCount>());
  }

  private lockName(user: UserRef): string {
    return JSON.stringify([this.spec.kind, user.application, user.userId]);
  }
}

function keyOf(user: UserRef): string {
  return `${user.application}\u0000${user.userId}`;
}
