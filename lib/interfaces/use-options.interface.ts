/** Options of `use()`. */
export interface UseOptions {
  /** Retry on a fresh instance after a connection-level error: `true` (3 tries) or a number of tries. For idempotent work only. */
  retry?: boolean | number;
}

/** Options passed to `_connect` besides the merged options. */
export interface ConnectContext {
  /** Aborted when the connect timed out or the app is shutting down. */
  signal: AbortSignal;
  /** Which try of this connect this is (1-based), when `retry` is set. */
  attempt: number;
  /** For a keyed connection: the key being connected. */
  key?: string;
}
