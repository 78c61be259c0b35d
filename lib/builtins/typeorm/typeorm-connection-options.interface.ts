/**
 * Options of a `TypeOrmConnection` (type `'typeorm'`): Streamlit's SQL keys, or TypeORM's own
 * `type` and connection keys, plus any other `DataSourceOptions` key (`entities`, `migrations`,
 * `synchronize`, `logging`, `namingStrategy`, `extra`, ...), passed to the DataSource as given.
 *
 * With `url` or `dialect` the DataSource's `type` and connection settings are computed from them
 * (`postgresql` -> `postgres`, `mysql`, `mariadb`, `sqlite` -> `better-sqlite3`), so a
 * `[connections.<name>]` section written for Streamlit's SQL connection works unchanged.
 */
export interface TypeOrmConnectionOptions {
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
  /** TypeORM's own `type` (`postgres`, `mysql`, `better-sqlite3`, ...), when neither `url` nor `dialect` is set. */
  type?: string;
  /**
   * Entity classes (or `EntitySchema`s, or glob paths). Entities injected with
   * `@InjectConnectionRepository` on this connection are added to them.
   */
  entities?: unknown[];
  /** Create/alter the tables from the entities: on the first connect of the process only. */
  synchronize?: boolean | string;
  /** Run pending migrations: on the first connect of the process only. */
  migrationsRun?: boolean | string;
  /** Drop the schema before anything else: on the first connect of the process only. */
  dropSchema?: boolean | string;
  /** Any other TypeORM `DataSourceOptions` key. */
  [dataSourceOption: string]: unknown;
}
