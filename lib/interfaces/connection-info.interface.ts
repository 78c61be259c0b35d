import type { ConnectionKeysSummary } from './keyed-options.interface.js';

/** Lifecycle state of a connection. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'failed' | 'closed';

/** State of the optional circuit breaker around `_connect`. */
export type CircuitState = 'closed' | 'open' | 'half-open';

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
  /** `use()` calls in flight on the instance in service. */
  leases: number;
  /** Circuit breaker state, or null when no breaker is configured. */
  circuit: CircuitState | null;
  /**
   * Keyed connections only: how many keys are live. The other fields then sum over the keys
   * (`generation`, `connects`, `failures`, `resets`, `leases`), `state` is the liveliest key's
   * and `lastError` the latest; each key's own figures are `conn.for(key).info()`.
   */
  keys?: ConnectionKeysSummary;
  /** For `conn.for(key).info()`: the key. */
  key?: string;
}
