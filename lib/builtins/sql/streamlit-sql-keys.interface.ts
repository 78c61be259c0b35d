import type { OptionValue } from '../../interfaces/option-value.interface.js';

/**
 * Streamlit's `SQLConnection` keys, as the ORM connections accept them: a `url`, or its parts.
 * A `[connections.<name>]` section written for Streamlit works unchanged.
 */
export interface StreamlitSqlKeys {
  /** `postgresql://user:password@host:5432/db`, `mysql://...`, `mariadb://...`, `sqlite:///relative.db`. */
  url?: string;
  /** `postgresql` (or `postgres`), `mysql`, `mariadb`, `sqlite`. */
  dialect?: string;
  /** `pg`, `mysql2` or `better-sqlite3` (Streamlit's Python driver names are accepted too). */
  driver?: string;
  username?: string;
  /** A string, or a function (sync or async) called on each connect: see docs/rotation.md. */
  password?: OptionValue<string>;
  host?: string;
  port?: number | string;
  /** Database name; for SQLite the file path, or `:memory:`. */
  database?: string;
  /** Connection parameters, as in a URL's query string (`application_name`, `sslmode`, `charset`...). */
  query?: Record<string, unknown>;
}
