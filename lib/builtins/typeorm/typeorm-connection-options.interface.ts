import type { StreamlitSqlKeys } from '../sql/streamlit-sql-keys.interface.js';

/**
 * Options of a `TypeOrmConnection` (type `'typeorm'`): Streamlit's SQL keys, or TypeORM's own
 * `type` and connection keys, plus any other `DataSourceOptions` key (`entities`, `migrations`,
 * `synchronize`, `logging`, `namingStrategy`, `extra`, ...), passed to the DataSource as given.
 *
 * With `url` or `dialect` the DataSource's `type` and connection settings are computed from them
 * (`postgresql` -> `postgres`, `mysql`, `mariadb`, `sqlite` -> `better-sqlite3`), so a
 * `[connections.<name>]` section written for Streamlit's SQL connection works unchanged.
 */
export interface TypeOrmConnectionOptions extends StreamlitSqlKeys {
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
