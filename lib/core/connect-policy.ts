import { DEFAULT_DRAIN_TIMEOUT_MS } from './connections.constants.js';
import {
  BrokenCircuitError,
  CircuitState as CockatielCircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  noop,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { ConnectionsError } from '../errors/connection.errors.js';
import type { CircuitState } from '../interfaces/connection-info.interface.js';

/** Resolved, validated policy numbers of one connection (all durations in ms). */
export interface ResolvedPolicy {
  ttlMs: number | null;
  /** Background refresh this long before `ttlMs` (`refreshAhead`), or null. Always less than `ttlMs`. */
  refreshAheadMs: number | null;
  eager: boolean;
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  drainTimeoutMs: number;
  connectTimeoutMs: number | null;
  slowConnectMs: number;
  breaker: { threshold: number; halfOpenAfterMs: number } | null;
}

/** The policy of a connection that sets none: shared, frozen (idle connections are many). */
export const DEFAULT_POLICY: ResolvedPolicy = Object.freeze({
  ttlMs: null,
  refreshAheadMs: null,
  eager: false,
  attempts: 1,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  drainTimeoutMs: DEFAULT_DRAIN_TIMEOUT_MS,
  connectTimeoutMs: null,
  slowConnectMs: 5_000,
  breaker: null,
});

/** Errors we raise ourselves (config, closed) are final: retrying them cannot help. */
const retryable = handleWhen((err) => !(err instanceof ConnectionsError) && !(err instanceof BrokenCircuitError));

/**
 * The cockatiel policy that wraps each connect: retry with exponential backoff and
 * decorrelated jitter (cockatiel's default generator), outside an optional consecutive-failure
 * circuit breaker, so that every single `_connect` try counts towards the breaker and an open
 * breaker stops the retries at once.
 */
export class ConnectPolicy {
  readonly policy: IPolicy;
  readonly breaker: CircuitBreakerPolicy | null;

  constructor(resolved: ResolvedPolicy) {
    this.breaker = resolved.breaker
      ? circuitBreaker(retryable, {
          halfOpenAfter: resolved.breaker.halfOpenAfterMs,
          breaker: new ConsecutiveBreaker(resolved.breaker.threshold),
        })
      : null;
    const retrying =
      resolved.attempts > 1
        ? retry(retryable, {
            maxAttempts: resolved.attempts - 1,
            backoff: new ExponentialBackoff({
              initialDelay: resolved.initialDelayMs,
              maxDelay: resolved.maxDelayMs,
            }),
          })
        : noop;
    this.policy = this.breaker ? wrap(retrying, this.breaker) : retrying;
  }

  get circuitState(): CircuitState | null {
    if (!this.breaker) return null;
    switch (this.breaker.state) {
      case CockatielCircuitState.Closed:
        return 'closed';
      case CockatielCircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }

  static isCircuitOpen(err: unknown): boolean {
    return err instanceof BrokenCircuitError;
  }
}
