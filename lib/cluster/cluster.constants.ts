/** Defaults of `forRoot({ cluster })`; the README's "Running many replicas" lists the same. */
export const DEFAULT_CLUSTER_CHANNEL = 'nestjs-connections';
export const DEFAULT_ACK_TIMEOUT_MS = 2_000;
export const DEFAULT_HEARTBEAT_MS = 1_000;
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_NATS_SERVERS = ['127.0.0.1:4222'];

/** A replica not heard from for this many heartbeats is no longer live. */
export const LIVENESS_HEARTBEATS = 3;

/**
 * Messages older (or further in the future) than this are dropped as stale: the replay guard
 * only needs to remember ids this long. Generous, so modest clock skew between hosts is fine.
 */
export const REPLAY_WINDOW_MS = 60_000;

/** The shortest key accepted: an HMAC key is a password, and short ones are guessed offline. */
export const MIN_KEY_LENGTH = 16;

/** Environment variable that may hold the key (below the `key` option, above the secrets files). */
export const CLUSTER_KEY_ENV = 'CONNECTIONS_CLUSTER_KEY';

/** Larger messages are dropped as malformed before any parsing (ours are well under 1 KiB). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** Reconnect backoff of the broker link: from the first delay, doubling, up to the heartbeat (at least the max). */
export const RECONNECT_FIRST_DELAY_MS = 100;
export const RECONNECT_MAX_DELAY_MS = 1_000;

/** Instance ids and channels end up in Redis channel names and NATS subjects: keep them plain. */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
export const CHANNEL_PATTERN = /^[A-Za-z0-9_-]+(?:[.:][A-Za-z0-9_-]+)*$/;
