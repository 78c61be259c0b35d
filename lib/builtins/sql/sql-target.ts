import { isPlainObject } from '../../utils/object.util.js';
import { findDialect, KNOWN_DIALECTS, type SqlDialect } from './sql-dialects.js';
import type { SqlConnectionOptions } from './sql-connection-options.interface.js';
import { OptionKeyError } from '../../errors/option-key.error.js';
import { DEFAULT_QUERY_CACHE_MAX } from './sql-query-cache.js';

/** Where a SqlConnection connects, from a `url` or from Streamlit's parts. */
export interface SqlTarget {
  dialect: SqlDialect;
  username?: string;
  password?: string;
  host?: string;
  port?: number;
  /** Database name, or the SQLite file path. */
  database?: string;
  query: Record<string, unknown>;
  /** The URL as given, when the target came from one. */
  url?: string;
}

/** Streamlit's keys: they describe the target and are not passed to knex. */
export const TARGET_KEYS: ReadonlySet<string> = new Set([
  'url',
  'dialect',
  'driver',
  'username',
  'password',
  'host',
  'port',
  'database',
  'query',
]);

const URL_FORM = 'dialect[+driver]://username:password@host:port/database';

/**
 * Reads the target out of the options, checking every key (S4). A `url` wins over the parts,
 * as in Streamlit. Values are never echoed in errors.
 */
export function resolveSqlTarget(options: SqlConnectionOptions): SqlTarget {
  if (!isPlainObject(options)) throw new OptionKeyError('options', 'must be a table of options');
  if (options.client !== undefined) {
    throw new OptionKeyError('client', `is knex's name for it; use dialect (${KNOWN_DIALECTS}) or url instead`);
  }
  for (const key of ['connection', 'pool', 'query'] as const) {
    if (options[key] !== undefined && !isPlainObject(options[key])) throw new OptionKeyError(key, 'must be a table');
  }
  queryCacheMaxOf(options);
  if (options.url !== undefined && options.url !== '') return targetOfUrl(options.url);
  return targetOfParts(options);
}

/** `queryCacheMax`: a positive integer (a string of digits from the environment too), default 1000. */
export function queryCacheMaxOf(options: SqlConnectionOptions): number {
  const value = options.queryCacheMax;
  if (value === undefined) return DEFAULT_QUERY_CACHE_MAX;
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new OptionKeyError('queryCacheMax', 'must be a positive integer (entries of the query() ttl cache)');
  }
  return n;
}

function targetOfUrl(url: unknown): SqlTarget {
  if (typeof url !== 'string') throw new OptionKeyError('url', `must be a string such as ${URL_FORM}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OptionKeyError('url', `is not a valid URL; expected ${URL_FORM} (percent-encode special characters in the password)`);
  }
  const [dialectName, driver] = parsed.protocol.slice(0, -1).split('+', 2);
  const dialect = dialectOf('url', dialectName);
  if (driver !== undefined) checkDriver('url', dialect, driver);
  const query: Record<string, unknown> = {};
  for (const [key, value] of parsed.searchParams) query[key] = value;
  if (dialect.embedded) {
    // SQLAlchemy's forms: sqlite:///relative.db, sqlite:////absolute.db, sqlite:// (in memory).
    const path = decode('url', parsed.pathname).replace(/^\//, '');
    return { dialect, database: path === '' ? ':memory:' : path, query, url };
  }
  return {
    dialect,
    username: parsed.username === '' ? undefined : decode('url', parsed.username),
    password: parsed.password === '' ? undefined : decode('url', parsed.password),
    host: parsed.hostname === '' ? undefined : parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? undefined : Number(parsed.port),
    database: parsed.pathname.length > 1 ? decode('url', parsed.pathname.slice(1)) : undefined,
    query,
    url,
  };
}

function targetOfParts(options: SqlConnectionOptions): SqlTarget {
  if (options.dialect === undefined || options.dialect === '') {
    throw new OptionKeyError(
      'dialect',
      `is required when there is no url: set url = "${URL_FORM}", or dialect (${KNOWN_DIALECTS}) and its parts`,
    );
  }
  if (typeof options.dialect !== 'string') throw new OptionKeyError('dialect', `must be one of ${KNOWN_DIALECTS}`);
  const dialect = dialectOf('dialect', options.dialect);
  if (options.driver !== undefined) {
    if (typeof options.driver !== 'string') throw new OptionKeyError('driver', 'must be a string');
    checkDriver('driver', dialect, options.driver);
  }
  const database = text(options, 'database');
  if (dialect.embedded && database === undefined) {
    throw new OptionKeyError('database', 'is required for sqlite: the path of the database file, or ":memory:"');
  }
  return {
    dialect,
    username: text(options, 'username'),
    password: options.password === undefined || options.password === null ? undefined : String(options.password),
    host: text(options, 'host'),
    port: portOf(options.port),
    database,
    query: (options.query as Record<string, unknown> | undefined) ?? {},
  };
}

function dialectOf(key: string, name: string): SqlDialect {
  const dialect = findDialect(name);
  if (!dialect) throw new OptionKeyError(key, `names an unknown dialect; known dialects: ${KNOWN_DIALECTS}`);
  return dialect;
}

function checkDriver(key: string, dialect: SqlDialect, driver: string): void {
  if (!dialect.drivers.includes(driver.toLowerCase())) {
    throw new OptionKeyError(key, `names a driver that is not one for ${dialect.name}; use ${dialect.client} (or leave driver out)`);
  }
}

function text(options: SqlConnectionOptions, key: 'username' | 'host' | 'database'): string | undefined {
  const value = options[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new OptionKeyError(key, 'must be a string');
  return value;
}

function portOf(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  // Environment variables arrive as strings: CONNECTIONS__NOTES__PORT=5433.
  const port = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new OptionKeyError('port', 'must be a whole number from 1 to 65535');
  }
  return port;
}

function decode(key: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new OptionKeyError(key, 'has a malformed percent-encoding');
  }
}
