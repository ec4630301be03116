import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StoredUserData } from '@omni/contracts';
import { quoteIdentifier, queryRows, serializationFailure } from '@omni/persistence';
import { PROFILE_SCHEMA } from '../config';
import { User, UserStatus } from '../domain/user';

/**
 * Plain SQL, one statement per call: every round trip to PostgreSQL is costly, and TypeORM's
 * `save()` spends a SELECT before each write. The table is described for migrations and tests by
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
  /** Load a user for change, locking its row until the transaction ends. */
  async findForUpdate(em: EntityManager, application: string, userId: string): Promise<User | null> {
    const rows = await queryRows<UserRow>(em, `SELECT ${COLUMNS} FROM ${USERS} WHERE application = $1 AND user_id = $2 FOR UPDATE`, [
      application,
      userId,
    ]);
    return rows.length > 0 ? toUser(rows[0]) : null;
  }

  /**
   * Store a user in one statement: insert one that was never stored, update one that was. The row
   * must still be at the version the user was read at (0: no row) — always so for a row this
   * transaction locked. A new user that another transaction inserted first (two commands creating
   * one user racing) is not overwritten: a serialization failure, retried, reads it.
   */
  async save(em: EntityManager, user: User): Promise<void> {
    const { application, userId, userName, status, userData, version } = user.snapshot;
    const storedVersion = version - user.events.length;
    const written = await queryRows(
      em,
      `INSERT INTO ${USERS} AS u (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5::jsonb, $6)
       ON CONFLICT (application, user_id) DO UPDATE SET
         user_name = EXCLUDED.user_name, status = EXCLUDED.status, user_data = EXCLUDED.user_data,
         version = EXCLUDED.version, updated_at = now()
       WHERE u.version = $7
       RETURNING 1`,
      [application, userId, userName, status, JSON.stringify(userData), version, storedVersion],
    );
    if (written.length === 0) {
      throw serializationFailure(`user changed concurrently (expected version ${storedVersion}); retrying`);
    }
  }

  /** Delete a user's row (waiting for a transaction that holds it), returning the user as it was: null when there was none. */
  async remove(em: EntityManager, application: string, userId: string): Promise<User | null> {
    const rows = await queryRows<UserRow>(em, `DELETE FROM ${USERS} WHERE application = $1 AND user_id = $2 RETURNING ${COLUMNS}`, [
      application,
      userId,
    ]);
    return rows.length > 0 ? toUser(rows[0]) : null;
  }
}

function toUser(row: UserRow): User {
  return User.restore({
    application: row.application,
    userId: row.user_id,
    userName: row.user_name,
    status: row.status,
    userData: row.user_data,
    version: row.version,
  });
}
