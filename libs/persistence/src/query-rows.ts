import { DataSource, EntityManager } from 'typeorm';

/**
 * Run a statement and return its rows. TypeORM's `query` answers `[rows, affectedCount]` for
 * UPDATE and DELETE on PostgreSQL but plain `rows` otherwise; with `RETURNING` that difference is
 * easy to miss, so statements that return rows go through here.
 */
export async function queryRows<T>(db: EntityManager | DataSource, sql: string, parameters: unknown[] = []): Promise<T[]> {
  const result: unknown = await db.query(sql, parameters);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
