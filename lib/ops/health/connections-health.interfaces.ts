import type { ConnectionState } from '../../interfaces/connection-info.interface.js';

/** The outcome of pinging one connection; `error` is masked (M1). */
export type ConnectionPingResult = { status: 'up' } | { status: 'down'; error: string };

/**
 * What a probe asks:
 * - `readiness`: can this replica serve? Pings connected instances (and connects in flight),
 *   reports idle ones `up` with `idle: true` without connecting them (unless `connect`).
 * - `liveness`: is the process alive? Never touches the network: a database outage must not
 *   restart the pods (it would not fix the database).
 */
export type ConnectionHealthMode = 'readiness' | 'liveness';

/** The health of one connection in a probe; `error` is masked (M1). */
export interface ConnectionHealthResult {
  status: 'up' | 'down';
  /** The connection's state when the probe looked. */
  state: ConnectionState;
  /** Not connected, and not connected by this probe (readiness without `connect`). */
  idle?: true;
  /** Why it is down, masked. */
  error?: string;
  /** Keyed connections: live keys, and how many of them are `failed` (their instances are not pinged). */
  keys?: number;
  failedKeys?: number;
}

/** What `GET /admin/connections/health` answers (503 when `status` is `down`). */
export interface ConnectionsHealthReport {
  /** `down` as soon as one connection is down. */
  status: 'up' | 'down';
  mode: ConnectionHealthMode;
  /** One entry per connection, in registration order. */
  connections: Record<string, ConnectionHealthResult>;
}

/** Options of `ConnectionsHealthIndicator.pingCheck()`. */
export interface ConnectionPingCheckOptions {
  /** Give up and report `down` after this many milliseconds. Default 1000, as Terminus' own indicators. */
  timeout?: number;
}

/** Options of `ConnectionsHealthIndicator.isHealthy()` and of the admin `/health?mode=`. */
export interface ConnectionHealthCheckOptions {
  /** Default `readiness`. */
  mode?: ConnectionHealthMode;
  /** Give up on a ping and report `down` after this many milliseconds (readiness). Default 1000. */
  timeout?: number;
  /** Readiness only: connect an idle connection to ping it (costs a session). Default `false`. */
  connect?: boolean;
}

/**
 * The result of `pingCheck()` and `isHealthy()`, in the shape of Terminus' `HealthIndicatorResult`
 * (it is assignable to it). Declared here so that the package's types never import
 * `@nestjs/terminus`, an optional peer.
 */
export type ConnectionHealthIndicatorResult<Key extends string = string> = Record<
  Key,
  { status: 'up' | 'down'; message?: string; state?: ConnectionState; idle?: true }
>;
