import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '@omni/persistence';
import { READ_MODEL_TABLES as t } from './tables';

/** A user as the read model has it, without channels (the profile has those). */
export interface UserRecord {
  userId: string;
  userName: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

interface UserRow {
  user_id: string;
  user_name: string | null;
  status: string;
  created_at: Date;
  updated_at: Date;
}

const USER_COLUMNS = 'user_id, user_name, status, created_at, updated_at';

const toRecord = (row: UserRow): UserRecord => ({
  userId: row.user_id,
  userName: row.user_name,
  active: row.status === 'active',
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Users, from the read model, always within one application (tenant). */
@Injectable()
export class UserReads {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** A page of the active users, oldest first, and how many there are in all. */
  async activePage(application: string, skip: number, limit: number): Promise<{ count: number; users: UserRecord[] }> {
    const [rows, [{ count }]] = await Promise.all([
      queryRows<UserRow>(
        this.dataSource,
        `SELECT ${USER_COLUMNS} FROM ${t.users}
          WHERE application = $1 AND status = 'active' ORDER BY created_at, user_id OFFSET $2 LIMIT $3`,
        [application, skip, limit],
      ),
      queryRows<{ count: number }>(this.dataSource, `SELECT count(*)::int AS count FROM ${t.users} WHERE application = $1 AND status = 'active'`, [application]),
    ]);
    return { count, users: rows.map(toRecord) };
  }

  /** The user, active or not; undefined when the read model does not know it. */
  async find(application: string, userId: string): Promise<UserRecord | undefined> {
    const [row] = await queryRows<UserRow>(this.dataSource, `SELECT ${USER_COLUMNS} FROM ${t.users} WHERE application = $1 AND user_id = $2`, [
      application,
      userId,
    ]);
    return row && toRecord(row);
  }

  async exists(application: string, userId: string): Promise<boolean> {
    const rows = await queryRows(this.dataSource, `SELECT 1 FROM ${t.users} WHERE application = $1 AND user_id = $2`, [application, userId]);
    return rows.length > 0;
  }
}
