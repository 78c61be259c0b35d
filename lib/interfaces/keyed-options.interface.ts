import type { Duration } from './connection-policy.interface.js';
import type { ConnectionState } from './connection-info.interface.js';

/**
 * A keyed connection: one lazily connected instance per key (a tenant, a region, a shard),
 * each with the whole lifecycle of a connection. `true` is `{}`: no bound, no idle expiry.
 */
export interface KeyedOptions {
  /** Live keys at most; beyond it the least recently used key is retired (drained, then disposed). Default: no bound. */
  maxEntries?: number;
  /** A key unused for this long is retired the same way. Default: never. */
  idleTtl?: Duration;
}

/** `info().keys` of a keyed connection. */
export interface ConnectionKeysSummary {
  /** Live keys (each with an instance, a connect in flight, or a failure). */
  count: number;
  /** `maxEntries`, or null without a bound. */
  max: number | null;
  /** Live keys whose last connect failed. */
  failed: number;
}

/** One key in a page of `registry.keys(name)` (admin `GET .../:name/keys`). */
export interface ConnectionKeyInfo {
  key: string;
  state: ConnectionState;
  generation: number;
  /** ISO string. */
  lastUsedAt: string;
}

/** A page of keys, most recently used first; `next` is the `after` of the next page, or null. */
export interface ConnectionKeysPage {
  items: ConnectionKeyInfo[];
  next: string | null;
}
