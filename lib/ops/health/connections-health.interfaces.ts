/** The outcome of pinging one connection; `error` is masked (M1). */
export type ConnectionPingResult = { status: 'up' } | { status: 'down'; error: string };

/** What `GET /admin/connections/health` answers (503 when `status` is `down`). */
export interface ConnectionsHealthReport {
  /** `down` as soon as one connection is down. */
  status: 'up' | 'down';
  /** One entry per connection, in registration order. */
  connections: Record<string, ConnectionPingResult>;
}

/** Options of `ConnectionsHealthIndicator.pingCheck()`. */
export interface ConnectionPingCheckOptions {
  /** Give up and report `down` after this many milliseconds. Default 1000, as Terminus' own indicators. */
  timeout?: number;
}

/**
 * The result of `pingCheck()`, in the shape of Terminus' `HealthIndicatorResult` (it is
 * assignable to it). Declared here so that the package's types never import
 * `@nestjs/terminus`, an optional peer.
 */
export type ConnectionHealthIndicatorResult<Key extends string = string> = Record<
  Key,
  { status: 'up' | 'down'; message?: string }
>;
