import type { StreamlitSqlKeys } from '../sql/streamlit-sql-keys.interface.js';

/**
 * Options of a `DrizzleConnection` (type `'drizzle'`): Streamlit's SQL keys (the dialect picks
 * the driver: `pg`, `mysql2` or `better-sqlite3`), the app's drizzle schema, and settings for
 * the driver and for drizzle.
 */
export interface DrizzleConnectionOptions extends StreamlitSqlKeys {
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
