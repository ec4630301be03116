/** PostgreSQL takes at most 65,535 parameters in one statement. */
const MAX_PARAMETERS = 65_535;

/**
 * A multi-row `VALUES` list: `($1::text, $2::jsonb), ($3::text, $4::jsonb)` and its parameters,
 * every placeholder cast to its column's type (a `VALUES` list in a `FROM` has no column types of its own).
 */
export function valuesList(rows: readonly unknown[][], types: readonly string[]): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const start = values.length;
    values.push(...row);
    return `(${row.map((_, index) => `$${start + index + 1}::${types[index]}`).join(', ')})`;
  });
  return { sql: tuples.join(', '), values };
}

/** `rows` in chunks small enough for one statement each, at `columns` parameters per row. */
export function statementChunks<T>(rows: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMETERS / columns));
  const chunks: T[][] = [];
  for (let start = 0; start < rows.length; start += size) chunks.push(rows.slice(start, start + size));
  return chunks;
}
