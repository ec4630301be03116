import { Pool, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** A statement PostgreSQL parses and plans once per connection, then only executes. */
export interface PreparedStatement {
  /** Unique in the app: the driver keys prepared statements by name on each connection. */
  name: string;
  text: string;
}

/**
 * Run a prepared statement on the data source's own pool (its size, timeouts and application
 * name). For a hot read whose planning costs PostgreSQL more than its execution: TypeORM's
 * `query` sends every statement unnamed, so PostgreSQL parses and plans it on every call.
 *
 * A renamed or dropped schema (the replay's swap) makes PostgreSQL re-plan the statement, so it
 * reads the tables its names resolve to now. The statement must pin the types of its columns
 * (casts): a prepared statement whose result type changes under it (a migration altering a
 * column) fails with "cached plan must not change result type" on every connection that has it.
 */
export async function queryPrepared<T extends QueryResultRow>(dataSource: DataSource, statement: PreparedStatement, values: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const result = await pool.query<T>({ name: statement.name, text: statement.text, values });
  return result.rows;
}
