/** A duration: milliseconds, or a string such as `'500ms'`, `'30s'`, `'15m'`, `'1h'`, `'1d'`. */
export type Duration = number | string;

/** Retries of `_connect` within one connect, spaced by exponential backoff with jitter. */
export interface RetryOptions {
  /** Total tries of `_connect` per connect (1 = no retry). Default 1. */
  attempts?: number;
  /** First backoff delay. Default `100ms`. */
  initialDelay?: Duration;
  /** Largest backoff delay. Default `10s`. */
  maxDelay?: Duration;
}

/** A circuit breaker around `_connect`: opens after `threshold` consecutive failures. */
export interface CircuitBreakerOptions {
  /** Consecutive failed connects that open the circuit. */
  threshold: number;
  /** How long the circuit stays open before it lets one trial connect through. */
  halfOpenAfter: Duration;
}

/** Policies of one connection; settable on the decorator, in module `defaults`, in secrets and per declaration. */
export interface ConnectionPolicyOptions {
  /** Replace an instance older than this on the next `resolve()` (T1). */
  ttl?: Duration | null;
  /**
   * With `ttl`: connect the replacement in the background this long before the ttl ends (less
   * some jitter) and swap it in, so no caller waits for a ttl connect. A failed refresh keeps
   * the instance serving and is tried again with backoff; only the `ttl` itself drops it.
   * Must be less than `ttl`.
   */
  refreshAhead?: Duration | null;
  /** Connect during bootstrap instead of on first use (L1). */
  eager?: boolean;
  /** Retry policy of `_connect`: a number of attempts, or the full options. */
  retry?: number | RetryOptions;
  /** How long a reset waits for in-flight `use()` calls before `_disconnect` (R5). Default `10s`. */
  drainTimeout?: Duration;
  /** Give up on one `_connect` call after this long (its late result is disposed). */
  connectTimeout?: Duration | null;
  /** Optional circuit breaker around `_connect` (L4). */
  circuitBreaker?: CircuitBreakerOptions | null;
  /** Connects slower than this are logged as warnings. Default `5s`. */
  slowConnectThreshold?: Duration;
}
