import { EntityManager } from 'typeorm';
import { DeferredWrite } from './batch-rows';
import { queryRows } from './query-rows';
import { statementChunks, valuesList } from './values-list';

/** How a repository's table of versioned aggregates, keyed by (application, id), is read and written. */
export interface VersionedTableSpec<T> {
  /** Qualified and quoted. */
  table: string;
  /** Every column the repository reads and writes, in order: `application`, the id column first, `version` among them. */
  columns: readonly string[];
  /** Their PostgreSQL types, in the same order (a VALUES list has none of its own). */
  types: readonly string[];
  /** A state's values for `columns`. */
  values: (state: T) => unknown[];
}

/**
 * The statements of a consumer's batch on such a table (see BatchRows): its rows locked and read
 * with one statement, its changes written back with one insert (new rows) and one update (rows
 * still at the version they were read at).
 */
export class VersionedTable<T> {
  private readonly list: string;
  private readonly idColumn: string;
  private readonly lockSql: string;
  private readonly updateSet: string;

  constructor(private readonly spec: VersionedTableSpec<T>) {
    const [application, id] = spec.columns;
    if (application !== 'application' || !id) throw new Error(`${spec.table}: columns must begin with application and the id`);
    this.idColumn = id;
    this.list = spec.columns.join(', ');
    this.lockSql = `SELECT ${this.list} FROM ${spec.table}
      WHERE (application, ${id}) IN (SELECT * FROM unnest($1::text[], $2::text[]))
      ORDER BY application COLLATE "C", ${id} COLLATE "C" FOR UPDATE`;
    this.updateSet = [...spec.columns.slice(2).map((column) => `${column} = v.${column}`), 'updated_at = now()'].join(', ');
  }

  /** The rows of `keys` that exist, locked until the transaction ends, in (application, id) code point order. */
  lockAll<Row>(em: EntityManager, keys: readonly { application: string; id: string }[]): Promise<Row[]> {
    return queryRows<Row>(em, this.lockSql, [keys.map((key) => key.application), keys.map((key) => key.id)]);
  }

  /** Insert the new rows (stored version 0: a key taken meanwhile is skipped) and update the others at their stored version; how many were written. */
  async writeAll(em: EntityManager, writes: readonly DeferredWrite<T>[]): Promise<number> {
    const { table, columns, types, values } = this.spec;
    let written = 0;
    for (const chunk of statementChunks(writes.filter((write) => write.storedVersion === 0), columns.length)) {
      const rows = valuesList(chunk.map(({ state }) => values(state)), types);
      // eslint-disable-next-line omni/sql-parameters -- a VALUES list of placeholders
      written += (await queryRows(em, `INSERT INTO ${table} (${this.list}) VALUES ${rows.sql} ON CONFLICT DO NOTHING RETURNING 1`, rows.values)).length;
    }
    for (const chunk of statementChunks(writes.filter((write) => write.storedVersion > 0), columns.length + 1)) {
      const rows = valuesList(chunk.map(({ state, storedVersion }) => [...values(state), storedVersion]), [...types, 'integer']);
      written += (
        await queryRows(
          em,
          // eslint-disable-next-line omni/sql-parameters -- a VALUES list of placeholders
          `UPDATE ${table} AS t SET ${this.updateSet} FROM (VALUES ${rows.sql}) AS v(${this.list}, stored_version)
            WHERE t.application = v.application AND t.${this.idColumn} = v.${this.idColumn} AND t.version = v.stored_version
            RETURNING 1`,
          rows.values,
        )
      ).length;
    }
    return written;
  }
}
