import type { Duration } from './connection-policy.interface.js';
import type { ConnectionInfo } from './connection-info.interface.js';
import type { ResetOptions, ResetResult } from './reset-result.interface.js';

/** Redis pub/sub (on `ioredis`): `url` (default `redis://127.0.0.1:6379`) and any other ioredis options. */
export interface RedisClusterTransportOptions {
  type: 'redis';
  url?: string;
  /** More ioredis options (host, port, password, tls...). Retries are ours: ioredis' own are turned off. */
  options?: Record<string, unknown>;
}

/** NATS core pub/sub (on `@nats-io/transport-node` 3.x): `servers` (default `127.0.0.1:4222`) and other connect options. */
export interface NatsClusterTransportOptions {
  type: 'nats';
  servers?: string | string[];
  /** More `connect()` options (user, pass, token, tls...). Reconnects are ours: the client's own are turned off. */
  options?: Record<string, unknown>;
}

/**
 * Which broker carries the cluster messages: `'redis'` or `'nats'` (a local server), a URL
 * (`redis://`, `rediss://`, `nats://`), or the full options of one transport.
 */
export type ClusterTransportOption = string | RedisClusterTransportOptions | NatsClusterTransportOptions;

/** `ConnectionsModule.forRoot({ cluster })`: resets that reach every replica of the app. */
export interface ClusterOptions {
  transport: ClusterTransportOption;
  /** This replica's id: letters, digits, `-`, `_`. Default `${hostname}-${pid}-${random}`. Must be unique among live replicas. */
  instanceId?: string;
  /** Channel (Redis) / subject prefix (NATS) shared by the replicas of one app. Default `nestjs-connections`. */
  channel?: string;
  /** How long a cluster reset waits for the replicas' answers. Default `2s`. */
  ackTimeout?: Duration;
  /** Interval of the membership heartbeat; a replica not heard from for 3 intervals is gone. Default `1s`. */
  heartbeat?: Duration;
  /**
   * The shared HMAC key that signs every message (at least 16 characters). First found wins:
   * this option, the `CONNECTIONS_CLUSTER_KEY` variable, `[cluster] key` in the secrets files.
   */
  key?: string;
  /** Run without a key: messages unsigned and accepted unsigned. Never in production. */
  insecure?: boolean;
  /** The version each replica reports in the membership list. Default: `npm_package_version`, or `version` of ./package.json. */
  version?: string;
}

/** Options of `registry.reset(name, { scope: 'cluster' })` and `registry.resetAll({ scope: 'cluster' })`. */
export interface ClusterResetOptions extends ResetOptions {
  scope: 'cluster';
  /** Replicas to reach, by id or glob (`*`, `?`): `'api-*'` or `['api-1', 'worker-?']`. Default: every replica. */
  targets?: string | string[];
}

/** What one replica answered: its own result, or the (masked) message of its error. */
export type ClusterReply<T> =
  | { instanceId: string; ok: true; result: T }
  | { instanceId: string; ok: false; error: string };

/** The answer to a cluster reset: one entry per replica that answered, and the known ones that did not. */
export interface ClusterResetResult<T = ResetResult> {
  /** The broadcast's id (in the replicas' logs too). */
  id: string;
  scope: 'cluster';
  /** The connection reset, or `null` for a reset of all connections. */
  name: string | null;
  /** The `targets` asked for, or `null` for every replica. */
  targets: string[] | null;
  /** One entry per replica that answered within `ackTimeout`, this replica included, in order of arrival. */
  replies: ClusterReply<T>[];
  /** Live replicas (matching `targets`) that did not answer within `ackTimeout`. */
  missing: string[];
  /** Exact (non-glob) `targets` that name no live replica (a typo shows here), sorted. */
  unknown: string[];
  /** Milliseconds from the broadcast to the last answer (or to the timeout). */
  durationMs: number;
}

/** One live replica in the membership list. */
export interface ClusterMember {
  instanceId: string;
  version: string | null;
  /** ISO time the replica started. */
  startedAt: string;
  /** ISO time of the last message heard from it. */
  lastSeen: string;
  /** True for the replica answering. */
  self: boolean;
}

/** Why a message was dropped. Dropped messages are counted and logged, never with their payload. */
export type ClusterDropReason = 'malformed' | 'unsigned' | 'bad-signature' | 'replayed' | 'stale';

/**
 * Where this replica stands: `joining` (first connect and id check), `joined`, `down` (broker
 * unreachable: cluster resets fail fast, local ones work; it reconnects by itself), `conflict`
 * (its id turned out to be held by another live replica after it had started — the broker was
 * down at startup — so it stays out of the cluster), `closed`.
 */
export type ClusterState = 'joining' | 'joined' | 'down' | 'conflict' | 'closed';

/** `registry.cluster.status()`, and `GET /admin/connections/cluster`. */
export interface ClusterStatus {
  instanceId: string;
  transport: 'redis' | 'nats';
  channel: string;
  state: ClusterState;
  version: string | null;
  /** Whether messages are signed (false only with `insecure: true` and no key). */
  signed: boolean;
  ackTimeoutMs: number;
  heartbeatMs: number;
  /** The live replicas (heard from within 3 heartbeats), this one included, sorted by id. */
  members: ClusterMember[];
  /** Dropped messages since start, by reason. */
  dropped: Record<ClusterDropReason, number>;
  /** The broker link: a connection of this library. */
  link: ConnectionInfo;
  /** The last broker error (masked), or null. */
  lastError: string | null;
}

/** What `registry.cluster.events$` emits. */
export type ClusterEvent =
  | { type: 'joined' | 'down'; at: string; error?: string }
  | { type: 'member-joined' | 'member-left'; at: string; instanceId: string; reason?: 'bye' | 'timeout' }
  | { type: 'dropped'; at: string; reason: ClusterDropReason }
  | { type: 'id-conflict'; at: string; instanceId: string };
