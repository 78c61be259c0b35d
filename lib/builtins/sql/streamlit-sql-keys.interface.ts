import type { OptionValue } from '../../interfaces/option-value.interface.js';

/**
 * Streamlit's `SQLConnection` keys, as `SqlConnection`, `TypeOrmConnection` and `DrizzleConnection`
 * accept them: a `url`, or its parts.
 * A `[connections.<name>]` section written for Streamlit works unchanged.
 */
export interface StreamlitSqlKeys {
  /** `postgresql://user:password@host:5432/db`, `mysql://...`, `mariadb://...`, `sqlite:///relative.db`, `sqlite:////abs.db`. */
  url?: string;
  /** `postgresql` (or `postgres`), `mysql`, `mariadb`, `sqlite`. */
  dialect?: string;
  /**
   * The driver: `pg`, `mysql2` or `better-sqlite3`, one per dialect. Streamlit's Python driver
   * names (`psycopg2`, `pymysql`, ...) are accepted too and mean the same dialect.
   */
  driver?: string;
  username?: string;
  /**
   * A string, or (in code) a function returning one, sync or async: an IAM token, a Vault lease.
   * `SqlConnection` on PostgreSQL hands it to pg, which calls it for every physical connection;
   * elsewhere it is called once per connect (pair it with `ttl` and `refreshAhead`). With a
   * `url`, the function is used when the url has no password. See docs/rotation.md.
   */
  password?: OptionValue<string>;
  host?: string;
  port?: number | string;
  /** Database name; for SQLite the file path (relative to the working directory), or `:memory:`. */
  database?: string;
  /** Connection parameters, as in a URL's query string (`application_name`, `sslmode`, `charset`...). */
  query?: Record<string, unknown>;
}
