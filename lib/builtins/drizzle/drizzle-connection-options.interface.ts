/**
 * Options of a `DrizzleConnection` (type `'drizzle'`): Streamlit's SQL keys (the dialect picks
 * the driver: `pg`, `mysql2` or `better-sqlite3`), the app's drizzle schema, and settings for
 * the driver and for drizzle.
 */
export interface DrizzleConnectionOptions {
  /** `postgresql://user:password@host:5432/db`, `mysql://...`, `mariadb://...`, `sqlite:///relative.db`. */
  url?: string;
  /** `postgresql` (or `postgres`), `mysql`, `mariadb`, `sqlite`. */
  dialect?: string;
  /** `pg`, `mysql2` or `better-sqlite3` (Streamlit's Python driver names are accepted too). */
  driver?: string;
  username?: string;
  password?: string;
  host?: string;
  port?: number | string;
  /** Database name; for SQLite the file path, or `:memory:`. */
  database?: string;
  /** Connection parameters, as in a URL's query string (`application_name`, `sslmode`, `charset`...). */
  query?: Record<string, unknown>;
  /**
   * The app's drizzle schema (`import * as schema from './schema'`): tables and relations, for
   * `db.query.<table>`. Code only: it is never read from secrets or the environment.
   */
  schema?: Record<string, unknown>;
  /** Pool settings of the driver (pg: `max`, `idleTimeoutMillis`...; mysql2: `connectionLimit`...). */
  pool?: Record<string, unknown>;
  /** Driver connection settings merged over the ones computed from the keys above (`ssl`, `timezone`...). */
  connection?: Record<string, unknown>;
  /** drizzle's `logger` (true, or an object with `logQuery`). */
  logger?: unknown;
  /** drizzle's `casing` (`'snake_case'` or `'camelCase'`). */
  casing?: 'snake_case' | 'camelCase';
}
