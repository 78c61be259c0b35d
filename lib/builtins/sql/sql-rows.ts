import type { SqlDialect } from './sql-dialects.js';

type Row = Record<string, unknown>;

/**
 * The rows of a `knex.raw()` result, as plain objects, whatever the driver: pg answers a
 * `Result` with `rows`, mysql2 a `[rows, fields]` pair, better-sqlite3 the rows themselves.
 * A statement that returns no rows (an insert through `query()`) gives `[]`.
 */
export function rowsOf(client: SqlDialect['client'], result: unknown): Row[] {
  let rows: unknown;
  switch (client) {
    case 'pg':
      rows = (result as { rows?: unknown } | undefined)?.rows;
      break;
    case 'mysql2':
      rows = Array.isArray(result) ? result[0] : undefined;
      break;
    case 'better-sqlite3':
      rows = result;
      break;
  }
  if (!Array.isArray(rows)) return [];
  return rows.map((row: Row) => (Object.getPrototypeOf(row) === Object.prototype ? row : { ...row }));
}
