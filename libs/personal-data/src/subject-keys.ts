import { randomBytes, randomUUID } from 'node:crypto';
import { SubjectKey } from './cipher';

/** Anything that runs SQL: a TypeORM EntityManager (in a transaction) or DataSource. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** The table of data subjects' keys (created by the profile-service's migrations, which own users). */
export const SUBJECT_KEYS_TABLE = 'personal_data.subject_keys';

interface KeyRow {
  key_id: string;
  application: string;
  data_key: Buffer;
  erasing: boolean;
}

/**
 * The user is being erased: their key is marked and waits for the projection to delete it. Until
 * then nothing new may be sealed for them (it would be shredded with the old data), so a write that
 * names the user is refused, and can be sent again once the erasure is done.
 */
export class SubjectErasureInProgress extends Error {
  constructor() {
    super('the user is being erased: try again once the erasure is done');
    this.name = 'SubjectErasureInProgress';
  }
}

/**
 * One key per (application, userID): created by the first event that carries the user's personal
 * data, read to open events, deleted when the user is erased — which makes every sealed value of
 * the user unreadable for good (crypto-shredding). Producers and the projection share the table.
 */
export class SubjectKeys {
  /**
   * The user's key, created if the user has none. A new key is committed at once, by a statement of
   * its own outside the caller's transaction: every service creates keys, for the users of a batch in
   * no common order, and a new key's lock held until each batch committed made them deadlock. A key
   * whose batch then rolls back stays, unused (its user's next write takes it).
   */
  async forSubject(q: Queryable, application: string, userId: string, options: { erasing?: boolean } = {}): Promise<SubjectKey> {
    // The key exists for every event but a user's first: one read then (none if preloaded), an insert only the first time.
    const known = keysReadIn(q);
    const subject = subjectOf(application, userId);
    const existing = known?.has(subject) ? (known.get(subject) ?? undefined) : await this.findRow(q, application, userId);
    if (existing?.erasing && !options.erasing) throw new SubjectErasureInProgress();
    if (existing) return toKey(existing);
    const inserted = (await outsideTransaction(q).query(
      `INSERT INTO ${SUBJECT_KEYS_TABLE} (key_id, application, user_id, data_key) VALUES ($1, $2, $3, $4)
       ON CONFLICT (application, user_id) DO NOTHING RETURNING key_id, application, data_key, false AS erasing`,
      [randomUUID(), application, userId, randomBytes(32)],
    )) as KeyRow[];
    const row = inserted[0] ?? (await this.findRow(q, application, userId));
    if (!row) throw new Error('subject key vanished while it was being created');
    known?.set(subject, row);
    if (row.erasing && !options.erasing) throw new SubjectErasureInProgress();
    return toKey(row);
  }

  /**
   * Read the keys of many subjects with one statement, for the transaction's next `forSubject` calls
   * (a consumer's unit of work, before its commands run). Outside a transaction it does nothing.
   */
  async preload(q: Queryable, subjects: readonly { application: string; userId: string }[]): Promise<void> {
    const known = keysReadIn(q);
    const wanted = new Map<string, { application: string; userId: string }>();
    for (const subject of subjects) {
      const memo = subjectOf(subject.application, subject.userId);
      if (!known?.has(memo)) wanted.set(memo, subject);
    }
    if (!known || wanted.size === 0) return;
    const rows = (await q.query(
      `SELECT k.key_id, k.application, k.user_id, k.data_key, k.erasing
         FROM ${SUBJECT_KEYS_TABLE} k JOIN unnest($1::text[], $2::text[]) AS s(application, user_id)
           ON k.application = s.application AND k.user_id = s.user_id`,
      [[...wanted.values()].map((subject) => subject.application), [...wanted.values()].map((subject) => subject.userId)],
    )) as (KeyRow & { user_id: string })[];
    for (const memo of wanted.keys()) known.set(memo, null);
    for (const { user_id: userId, ...row } of rows) known.set(subjectOf(row.application, userId), row);
  }

  async find(q: Queryable, application: string, userId: string): Promise<SubjectKey | undefined> {
    const row = await this.findRow(q, application, userId);
    return row && toKey(row);
  }

  async byId(q: Queryable, keyId: string): Promise<SubjectKey | undefined> {
    if (!UUID.test(keyId)) return undefined;
    const rows = (await q.query(`SELECT key_id, application, data_key, erasing FROM ${SUBJECT_KEYS_TABLE} WHERE key_id = $1`, [keyId])) as KeyRow[];
    return rows[0] && toKey(rows[0]);
  }

  /** Many keys by id with one statement, each with the user it is for (ids that are no key are left out). */
  async byIds(q: Queryable, keyIds: readonly string[]): Promise<(SubjectKey & { userId: string })[]> {
    const ids = keyIds.filter((keyId) => UUID.test(keyId));
    if (ids.length === 0) return [];
    const rows = (await q.query(`SELECT key_id, application, user_id, data_key, erasing FROM ${SUBJECT_KEYS_TABLE} WHERE key_id = ANY($1::uuid[])`, [
      ids,
    ])) as (KeyRow & { user_id: string })[];
    return rows.map((row) => ({ ...toKey(row), userId: row.user_id }));
  }

  /** The user's erasure has begun: no new data is sealed for them until the key is deleted. */
  async markErasing(q: Queryable, keyId: string): Promise<void> {
    await q.query(`UPDATE ${SUBJECT_KEYS_TABLE} SET erasing = true WHERE key_id = $1`, [keyId]);
    forgetKey(q, keyId);
  }

  /** Shred: every value sealed with this key becomes unreadable. */
  async delete(q: Queryable, keyId: string): Promise<void> {
    await q.query(`DELETE FROM ${SUBJECT_KEYS_TABLE} WHERE key_id = $1`, [keyId]);
    forgetKey(q, keyId);
  }

  private async findRow(q: Queryable, application: string, userId: string): Promise<KeyRow | undefined> {
    const rows = (await q.query(
      `SELECT key_id, application, data_key, erasing FROM ${SUBJECT_KEYS_TABLE} WHERE application = $1 AND user_id = $2`,
      [application, userId],
    )) as KeyRow[];
    return rows[0];
  }
}

/**
 * The keys a transaction read so far, by subject (null: none), so that each is read once per
 * transaction — a consumer's unit of work reads them all at its start (preload). Keyed by the
 * transaction's EntityManager: it lives as long as the transaction. Outside one: undefined.
 */
const keysReadInTransaction = new WeakMap<object, Map<string, KeyRow | null>>();

function keysReadIn(q: Queryable): Map<string, KeyRow | null> | undefined {
  if (!(q as { queryRunner?: { isTransactionActive?: boolean } }).queryRunner?.isTransactionActive) return undefined;
  let known = keysReadInTransaction.get(q);
  if (!known) keysReadInTransaction.set(q, (known = new Map()));
  return known;
}

/** A key this transaction changed is read again the next time it is asked for. */
function forgetKey(q: Queryable, keyId: string): void {
  const known = keysReadIn(q);
  for (const [subject, row] of known ?? []) if (row?.key_id === keyId) known!.delete(subject);
}

function subjectOf(application: string, userId: string): string {
  return `${application}\u0000${userId}`;
}

/** The data source of a transaction's EntityManager (a statement there commits by itself), else `q`. */
function outsideTransaction(q: Queryable): Queryable {
  const manager = q as { queryRunner?: { isTransactionActive?: boolean }; connection?: Queryable };
  return manager.queryRunner?.isTransactionActive && manager.connection ? manager.connection : q;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toKey(row: KeyRow): SubjectKey {
  return { keyId: row.key_id, application: row.application, key: row.data_key };
}

/** DDL of the keys table, for the owning service's migration. */
export const SUBJECT_KEYS_DDL = [
  'CREATE SCHEMA IF NOT EXISTS personal_data',
  `CREATE TABLE ${SUBJECT_KEYS_TABLE} (
     key_id uuid PRIMARY KEY,
     application text NOT NULL,
     user_id text NOT NULL,
     data_key bytea NOT NULL,
     erasing boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now(),
     UNIQUE (application, user_id)
   )`,
];
