import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StoredUserData } from '@omni/contracts';
import { BatchRows, DeferredWrite, VersionedTable, quoteIdentifier, queryRows, serializationFailure } from '@omni/persistence';
import { PROFILE_SCHEMA } from '../config';
import { User, UserState, UserStatus } from '../domain/user';

/**
 * Plain SQL, and in a consumer's batch one statement per table rather than per call (BatchRows):
 * every round trip to PostgreSQL is costly, and TypeORM's `save()` spends a SELECT before each write. The table is described for migrations and tests by
 * `UserEntity`; the columns read here are the ones it maps.
 */
const USERS = `${quoteIdentifier(PROFILE_SCHEMA)}.users`;
const COLUMNS = 'application, user_id, user_name, status, user_data, version';


/** A row of profile.users as pg returns it (jsonb parsed). */
interface UserRow {
  application: string;
  user_id: string;
  user_name: string | null;
  status: UserStatus;
  user_data: StoredUserData;
  version: number;
}

@Injectable()
export class UsersRepository {
  /** In a consumer's batch: the users it loaded and changed, written back together before it commits. */
  private readonly inBatch = new BatchRows<UserState>('users of the batch', (em, writes) => this.writeAll(em, writes));

  /**
   * Load for change, with one statement, the users a batch's commands name (absent ones are
   * remembered as absent), locking their rows in (application, userID) code point order.
   */
  async preload(em: EntityManager, users: readonly { application: string; userId: string }[]): Promise<void> {
    const wanted = users.filter(({ application, userId }) => this.inBatch.cached(em, keyOf(application, userId)) === undefined);
    if (wanted.length === 0) return;
    const rows = await TABLE.lockAll<UserRow>(em, wanted.map(({ application, userId }) => ({ application, id: userId })));
    for (const state of rows.map(toState)) this.inBatch.remember(em, keyOf(state.application, state.userId), state);
    for (const { application, userId } of wanted) this.inBatch.remember(em, keyOf(application, userId), null);
  }

  /** Load a user for change, locking its row until the transaction ends (in a batch: as the batch last left it). */
  async findForUpdate(em: EntityManager, application: string, userId: string): Promise<User | null> {
    const key = keyOf(application, userId);
    const cached = this.inBatch.cached(em, key);
    if (cached !== undefined) return cached && User.restore(cached);
    const rows = await queryRows<UserRow>(em, `SELECT ${COLUMNS} FROM ${USERS} WHERE application = $1 AND user_id = $2 FOR UPDATE`, [
      application,
      userId,
    ]);
    const state = rows.length > 0 ? toState(rows[0]) : null;
    this.inBatch.remember(em, key, state);
    return state && User.restore(state);
  }

  /**
   * Store a user: insert one that was never stored, update one that was. The row must still be at
   * the version the user was read at (0: no row) — always so for a row this transaction locked. A
   * new user that another transaction inserted first (two commands creating one user racing) is not
   * overwritten: a serialization failure, retried, reads it. In a batch the write waits for the
   * batch's others, all sent in one statement before it commits.
   */
  async save(em: EntityManager, user: User): Promise<void> {
    const state = user.snapshot;
    const storedVersion = state.version - user.events.length;
    if (this.inBatch.defer(em, keyOf(state.application, state.userId), state, storedVersion)) return;
    await this.writeAll(em, [{ state, storedVersion }]);
  }

  /** Delete a user's row (waiting for a transaction that holds it), returning the user as it was: null when there was none. */
  async remove(em: EntityManager, application: string, userId: string): Promise<User | null> {
    await this.inBatch.flush(em);
    const rows = await queryRows<UserRow>(em, `DELETE FROM ${USERS} WHERE application = $1 AND user_id = $2 RETURNING ${COLUMNS}`, [
      application,
      userId,
    ]);
    this.inBatch.deleted(em, keyOf(application, userId));
    return rows.length > 0 ? User.restore(toState(rows[0])) : null;
  }

  /** New users in one insert, changed ones in one update; a row not at its stored version fails them all. */
  private async writeAll(em: EntityManager, writes: DeferredWrite<UserState>[]): Promise<void> {
    const written = await TABLE.writeAll(em, writes);
    if (written < writes.length) {
      throw serializationFailure(`${writes.length - written} user(s) changed concurrently; retrying`);
    }
  }
}

const TABLE = new VersionedTable<UserState>({
  table: USERS,
  columns: COLUMNS.split(', '),
  types: ['text', 'text', 'text', 'text', 'jsonb', 'integer'],
  values: columnValues,
});

/** The values of COLUMNS, in order. */
function columnValues({ application, userId, userName, status, userData, version }: UserState): unknown[] {
  return [application, userId, userName, status, JSON.stringify(userData), version];
}

function keyOf(application: string, userId: string): string {
  return `${application}\u0000${userId}`;
}

function toState(row: UserRow): UserState {
  return {
    application: row.application,
    userId: row.user_id,
    userName: row.user_name,
    status: row.status,
    userData: row.user_data,
    version: row.version,
  };
}
