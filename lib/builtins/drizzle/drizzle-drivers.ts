import type { SqlDialect } from '../sql/sql-dialects.js';

/** A drizzle database object; `$client` is the driver's pool (or SQLite handle) it runs on. */
export interface DrizzleDatabase {
  readonly $client: unknown;
}

/** How drizzle is opened, pinged and closed on each driver. */
export interface DrizzleDriver {
  /** drizzle-orm's entry point for the driver. */
  readonly drizzleModule: string;
  /** The driver's npm package, imported first for a clear MissingPeerError. */
  readonly driverPackage: string;
  /** Opens the driver's pool (or handle) from its settings. */
  open(driver: unknown, settings: Record<string, unknown>): unknown;
  ping(client: unknown): Promise<void>;
  close(client: unknown): Promise<void>;
  /** drizzle's config besides `client` and `schema`. */
  readonly config?: Record<string, unknown>;
}

interface PgPool {
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
interface Mysql2Pool {
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
interface SqliteHandle {
  prepare(sql: string): { get(): unknown };
  close(): void;
  open: boolean;
}

export const DRIZZLE_DRIVERS: Record<SqlDialect['client'], DrizzleDriver> = {
  pg: {
    drizzleModule: 'drizzle-orm/node-postgres',
    driverPackage: 'pg',
    open: (pg, settings) => {
      const { Pool } = ((pg as { default?: unknown }).default ?? pg) as { Pool: new (config: object) => PgPool };
      const pool = new Pool(settings);
      // An idle client the server ended (pg_terminate_backend, a restart) is dropped by the pool; without a listener the error would crash the process.
      (pool as unknown as { on(event: string, fn: () => void): void }).on('error', () => undefined);
      return pool;
    },
    ping: async (pool) => void (await (pool as PgPool).query('select 1')),
    close: (pool) => (pool as PgPool).end(),
  },
  mysql2: {
    drizzleModule: 'drizzle-orm/mysql2',
    // The promise API: drizzle's mysql2 driver takes either; `end()` then returns a promise.
    driverPackage: 'mysql2/promise',
    open: (mysql, settings) =>
      (((mysql as { default?: unknown }).default ?? mysql) as { createPool(config: object): Mysql2Pool }).createPool(settings),
    ping: async (pool) => void (await (pool as Mysql2Pool).query('select 1')),
    close: (pool) => (pool as Mysql2Pool).end(),
    // Required with a schema: 'default' (MySQL, MariaDB) rather than 'planetscale'.
    config: { mode: 'default' },
  },
  'better-sqlite3': {
    drizzleModule: 'drizzle-orm/better-sqlite3',
    driverPackage: 'better-sqlite3',
    open: (sqlite, settings) => {
      const Database = ((sqlite as { default?: unknown }).default ?? sqlite) as new (file: string, options?: object) => SqliteHandle;
      const { filename, options } = settings as { filename: string; options?: object };
      return new Database(filename, options);
    },
    ping: async (db) => void (db as SqliteHandle).prepare('select 1').get(),
    close: async (db) => {
      if ((db as SqliteHandle).open) (db as SqliteHandle).close();
    },
  },
};
