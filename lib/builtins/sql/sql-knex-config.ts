import type { Knex } from 'knex';
import type { SqlConnectionOptions } from './sql-connection-options.interface.js';
import { TARGET_KEYS, type SqlTarget } from './sql-target.js';

/** Options of SqlConnection itself, not knex's (`connection` is merged, not passed as is). */
const OWN_KEYS: ReadonlySet<string> = new Set(['connection', 'queryCacheMax']);

/**
 * The knex configuration for a target: the driver's connection settings computed from the
 * target, `connection` merged over them, and every non-Streamlit option passed through.
 */
export function knexConfigOf(target: SqlTarget, options: SqlConnectionOptions, log: Knex.Logger): Knex.Config {
  const passthrough: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!TARGET_KEYS.has(key) && !OWN_KEYS.has(key) && value !== undefined) passthrough[key] = value;
  }
  const extra = (options.connection as Record<string, unknown> | undefined) ?? {};
  const base: Knex.Config = {
    client: target.dialect.client,
    log,
    // SQLite has no DEFAULT keyword in multi-row inserts; knex asks for this to be explicit.
    ...(target.dialect.embedded ? { useNullAsDefault: true } : {}),
  };
  return { ...base, ...passthrough, connection: { ...connectionOf(target), ...extra } };
}

/** The driver's own connection settings for a target (pg: a libpq connection string; mysql2 and better-sqlite3: their options). */
export function connectionOf(target: SqlTarget): Record<string, unknown> {
  switch (target.dialect.client) {
    case 'pg':
      // A connection string, so pg reads the query parameters with libpq's meaning
      // (application_name, sslmode, options, ...) as a Streamlit/SQLAlchemy user expects.
      return { connectionString: postgresUrl(target) };
    case 'mysql2':
      return {
        host: target.host ?? 'localhost',
        ...(target.port === undefined ? {} : { port: target.port }),
        ...(target.username === undefined ? {} : { user: target.username }),
        ...(target.password === undefined ? {} : { password: target.password }),
        ...(target.database === undefined ? {} : { database: target.database }),
        ...typedQuery(target.query),
      };
    case 'better-sqlite3': {
      const query = typedQuery(target.query);
      return { filename: target.database, ...(Object.keys(query).length ? { options: query } : {}) };
    }
  }
}

export function postgresUrl(target: SqlTarget): string {
  const enc = encodeURIComponent;
  const auth =
    target.username === undefined && target.password === undefined
      ? ''
      : `${enc(target.username ?? '')}${target.password === undefined ? '' : `:${enc(target.password)}`}@`;
  const rawHost = target.host ?? 'localhost';
  // A directory is a Unix socket: pg-connection-string reads it percent-encoded.
  const host = rawHost.startsWith('/') ? enc(rawHost) : rawHost.includes(':') ? `[${rawHost}]` : rawHost;
  const port = target.port === undefined ? '' : `:${target.port}`;
  const database = target.database === undefined ? '' : enc(target.database);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(target.query)) {
    if (value !== undefined && value !== null) params.append(key, String(value));
  }
  const query = params.size ? `?${params.toString()}` : '';
  return `postgresql://${auth}${host}${port}/${database}${query}`;
}

/** URL query values are strings; `true`, `10` and `{"a":1}` mean what they say to mysql2 and better-sqlite3. */
export function typedQuery(query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== 'string') {
      out[key] = value;
      continue;
    }
    try {
      out[key] = JSON.parse(value);
    } catch {
      out[key] = value;
    }
  }
  return out;
}
