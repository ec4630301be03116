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
    // The key exists for every event but a user's first: one read then, an insert only the first time.
    const existing = await this.findRow(q, application, userId);
    if (existing?.erasing && !options.erasing) throw new SubjectErasureInProgress();
    if (existing) return toKey(existing);
    const inserted = (await outsideTransaction(q).query(
      `INSERT INTO ${SUBJECT_KEYS_TABLE} (key_id, application, user_id, data_key) VALUES ($1, $2, $3, $4)
       ON CONFLICT (application, user_id) DO NOTHING RETURNING key_id, application, data_key, false AS erasing`,
      [randomUUID(), application, userId, randomBytes(32)],
    )) as KeyRow[];
    const row = inserted[0] ?? (await this.findRow(q, application, userId));
    if (!row) throw new Error('subject key vanished while it was being created');
    if (row.erasing && !options.erasing) throw new SubjectErasureInProgress();
    return toKey(row);
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

  /** The user's erasure has begun: no new data is sealed for them until the key is deleted. */
  async markErasing(q: Queryable, keyId: string): Promise<void> {
    await q.query(`UPDATE ${SUBJECT_KEYS_TABLE} SET erasing = true WHERE key_id = $1`, [keyId]);
  }

  /** Shred: every value sealed with this key becomes unreadable. */
  async delete(q: Queryable, keyId: string): Promise<void> {
    await q.query(`DELETE FROM ${SUBJECT_KEYS_TABLE} WHERE key_id = $1`, [keyId]);
  }

  private async findRow(q: Queryable, application: string, userId: string): Promise<KeyRow | undefined> {
    const rows = (await q.query(
      `SELECT key_id, application, data_key, erasing FROM ${SUBJECT_KEYS_TABLE} WHERE application = $1 AND user_id = $2`,
      [application, userId],
    )) as KeyRow[];
    return rows[0];
  }
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
