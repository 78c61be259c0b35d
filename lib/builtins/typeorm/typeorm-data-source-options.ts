import { OptionKeyError } from '../../errors/option-key.error.js';
import { isPlainObject } from '../../utils/object.util.js';
import { postgresUrl, typedQuery } from '../sql/sql-knex-config.js';
import { TARGET_KEYS, resolveSqlTarget, type SqlTarget } from '../sql/sql-target.js';
import type { TypeOrmConnectionOptions } from './typeorm-connection-options.interface.js';

/** The schema steps TypeORM runs in `initialize()`; here they run once per process instead (see `SchemaOnce`). */
export interface SchemaSteps {
  dropSchema: boolean;
  migrationsRun: boolean;
  synchronize: boolean;
}

const FLAG_KEYS = ['synchronize', 'migrationsRun', 'dropSchema'] as const;

/** TypeORM's driver name for each of Streamlit's dialects. */
const TYPE_OF_CLIENT: Record<SqlTarget['dialect']['name'], string> = {
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mariadb',
  sqlite: 'better-sqlite3',
};

/** The npm package TypeORM's driver `require()`s, imported first for a clear MissingPeerError. */
const DRIVER_PACKAGE: Record<string, string> = {
  postgres: 'pg',
  mysql: 'mysql2',
  mariadb: 'mysql2',
  'better-sqlite3': 'better-sqlite3',
};

export function driverPackageOf(type: string): string | undefined {
  return DRIVER_PACKAGE[type];
}

/** Checks what can be checked without TypeORM (S4); `new DataSource()` checks the rest at bootstrap. */
export function validateTypeOrmOptions(options: TypeOrmConnectionOptions): void {
  if (!isPlainObject(options)) throw new OptionKeyError('options', 'must be a table of options');
  if (usesStreamlitKeys(options)) resolveSqlTarget(options);
  else if (options.type === undefined || options.type === '') {
    throw new OptionKeyError(
      'dialect',
      'is required: set url = "dialect://username:password@host:port/database", or dialect (postgresql, mysql, mariadb, sqlite) and its parts, or TypeORM\'s own type',
    );
  } else if (typeof options.type !== 'string') {
    throw new OptionKeyError('type', "must be a TypeORM driver name such as 'postgres'");
  } else if (/sqlite|sqljs/.test(options.type) && options.type !== 'sqljs' && (options.database === undefined || options.database === '')) {
    // TypeORM itself finds this only when connecting.
    throw new OptionKeyError('database', 'is required for SQLite: the path of the database file, or ":memory:"');
  }
  if (options.entities !== undefined && !Array.isArray(options.entities)) {
    throw new OptionKeyError('entities', 'must be a list of entity classes, EntitySchemas or paths');
  }
  for (const key of FLAG_KEYS) flag(options, key);
}

/**
 * The DataSource options for one connect: the target's `type` and connection settings (from
 * `url`/`dialect`, else TypeORM's own keys), every other key as given, the entities, and the
 * schema steps turned off (they are run once per process by the connection, not by `initialize()`).
 */
export function dataSourceOptionsOf(
  options: TypeOrmConnectionOptions,
  entities: readonly unknown[],
): { dataSource: Record<string, unknown>; steps: SchemaSteps } {
  const steps: SchemaSteps = {
    dropSchema: flag(options, 'dropSchema'),
    migrationsRun: flag(options, 'migrationsRun'),
    synchronize: flag(options, 'synchronize'),
  };
  const streamlit = usesStreamlitKeys(options);
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || (FLAG_KEYS as readonly string[]).includes(key)) continue;
    if (streamlit && TARGET_KEYS.has(key)) continue;
    rest[key] = value;
  }
  const target = streamlit ? targetOptions(resolveSqlTarget(options), rest) : {};
  return {
    dataSource: { ...rest, ...target, entities, synchronize: false, migrationsRun: false, dropSchema: false },
    steps,
  };
}

/** Streamlit's form (`url` or `dialect`) rather than TypeORM's own (`type`). */
function usesStreamlitKeys(options: TypeOrmConnectionOptions): boolean {
  return (options.url !== undefined && options.url !== '') || (options.dialect !== undefined && options.dialect !== '');
}

function targetOptions(target: SqlTarget, rest: Record<string, unknown>): Record<string, unknown> {
  const type = TYPE_OF_CLIENT[target.dialect.name];
  const extra = isPlainObject(rest.extra) ? rest.extra : {};
  switch (target.dialect.client) {
    case 'pg':
      // A connection string, which pg reads with libpq's meaning (application_name, sslmode...).
      return { type, url: postgresUrl(target) };
    case 'mysql2':
      return {
        type,
        host: target.host ?? 'localhost',
        port: target.port,
        username: target.username,
        password: target.password,
        database: target.database,
        extra: { ...typedQuery(target.query), ...extra },
      };
    case 'better-sqlite3':
      return { type, database: target.database, ...typedQuery(target.query) };
  }
}

/** A boolean option; the environment gives strings ("true", "false", "1", "0"). */
function flag(options: TypeOrmConnectionOptions, key: (typeof FLAG_KEYS)[number]): boolean {
  const value = options[key];
  if (value === undefined || value === null || value === '') return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|1|yes|on)$/i.test(value.trim())) return true;
  if (typeof value === 'string' && /^(false|0|no|off)$/i.test(value.trim())) return false;
  throw new OptionKeyError(key, 'must be true or false');
}
