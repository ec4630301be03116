import { quoteIdentifier } from '@omni/persistence';

/** One row of a table, as the erasure tests look for personal data in it. */
export interface ScannedRow {
  table: string;
  /** The row as JSON text. */
  text: string;
  row: Record<string, unknown>;
}

/** Every table of a schema and every row of them (a service's state, inbox, outbox, settings copy). */
export async function schemaRows(
  db: { query(sql: string, parameters?: unknown[]): Promise<unknown> },
  schema: string,
): Promise<{ tables: string[]; rows: ScannedRow[] }> {
  const tables = (await db.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
    [schema],
  )) as { table_name: string }[];
  const rows: ScannedRow[] = [];
  for (const { table_name: table } of tables) {
    const found = (await db.query(`SELECT row_to_json(t) AS row FROM ${quoteIdentifier(schema)}.${quoteIdentifier(table)} t`)) as { row: Record<string, unknown> }[];
    rows.push(...found.map(({ row }) => ({ table, text: JSON.stringify(row), row })));
  }
  return { tables: tables.map((t) => t.table_name), rows };
}
