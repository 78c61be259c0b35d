import type { ConnectionKeysSummary } from './keyed-options.interface.js';

/** Lifecycle state of a connection. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'failed' | 'closed';

/** State of the optional circuit breaker around `_connect`. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * The pool of the instance in service, where the driver has one (`info().pool`): connections
 * in use, idle in the pool, requests waiting for one, and the pool's maximum. A client without
 * a pool but with a link state (Redis) reports `status` too.
 */
export interface ConnectionPoolInfo {
  used: number;
  idle: number;
  waiting: number;
  /** The pool's maximum size, or null when unbounded or unknown. */
  max: number | null;
  /** The driver's own link state, for clients that are one connection (ioredis: `ready`, `reconnecting`...). */
  status?: string;
}

/**
 * Whether the running options still match the secrets files (`info().config`).
 * `rejected`: the last reload of the files was refused (malformed, vanished, empty or oversized
 * file, an option check that failed, or, with `watch: { strategy: 'swap' }`, new options that did
 * not connect), so what runs is older than what is on disk; it stays so until a reload applies.
 */
export interface ConnectionConfigStatus {
  status: 'current' | 'rejected';
  /** When the options in service were bound, or when the reload was rejected (ISO string). */
  at: string;
  /** Why the reload was rejected (masked; names a file and line, never a value), or null. */
  error: string | null;
}

/** A JSON-safe snapshot of one connection; never holds a secret value (M1). */
export interface ConnectionInfo {
  name: string;
  /** The class name, or the built-in type name (`'sql'`, `'redis'`). */
  type: string;
  state: ConnectionState;
  /** Number of instances created so far. */
  generation: number;
  /** When the instance in service connected (ISO string), or null. */
  connectedAt: string | null;
  /** Successful `_connect` calls. */
  connects: number;
  /** Failed `_connect` calls. */
  failures: number;
  /** Resets that took an instance or a connect out of service. */
  resets: number;
  /** Masked message of the last connect failure, or null. */
  lastError: string | null;
  ttlMs: number | null;
  /** With `refreshAhead`: when the next background refresh of the instance in service is due (ISO string), else null. */
  refreshAt: string | null;
  /** `use()` calls in flight on the instance in service. */
  leases: number;
  /** Circuit breaker state, or null when no breaker is configured. */
  circuit: CircuitState | null;
  /** The pool of the instance in service (see `BaseConnection._pool`); absent without one. */
  pool?: ConnectionPoolInfo;
  /**
   * Where the options came from: `'code'`, or the secrets files and section that configure it,
   * e.g. `'secrets.toml [connections.notes]'`, `'~/.streamlit/secrets.toml, .streamlit/secrets.toml
   * [connections.sql]'`, with `' + environment'` when `CONNECTIONS__<NAME>__*` variables add to it.
   */
  source: string;
  /** SQL connections: the dialect the options point at (`'postgresql'`, `'mysql'`, `'mariadb'`, `'sqlite'`). */
  dialect?: string;
  /** See `ConnectionConfigStatus`. */
  config: ConnectionConfigStatus;
  /**
   * Keyed connections only: how many keys are live. The other fields then sum over the keys
   * (`generation`, `connects`, `failures`, `resets`, `leases`), `state` is the liveliest key's
   * and `lastError` the latest; each key's own figures are `conn.for(key).info()`.
   */
  keys?: ConnectionKeysSummary;
  /** For `conn.for(key).info()`: the key. */
  key?: string;
}
