import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import { describe } from '../utils/describe.util.js';
import { parseDuration } from '../utils/duration.util.js';
import { isPlainObject } from '../utils/object.util.js';
import {
  CHANNEL_PATTERN,
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_CLUSTER_CHANNEL,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_NATS_SERVERS,
  DEFAULT_REDIS_URL,
  INSTANCE_ID_PATTERN,
  MIN_KEY_LENGTH,
} from './cluster.constants.js';
import type { ClusterOptions } from '../interfaces/cluster.interfaces.js';

const CLUSTER_KEYS = new Set(['transport', 'instanceId', 'channel', 'ackTimeout', 'heartbeat', 'key', 'insecure', 'version']);
const TRANSPORT_KEYS: Record<'redis' | 'nats', Set<string>> = {
  redis: new Set(['type', 'url', 'options']),
  nats: new Set(['type', 'servers', 'options']),
};

/** The transport, normalized. */
export type TransportSettings =
  | { type: 'redis'; url: string; options: Record<string, unknown> }
  | { type: 'nats'; servers: string[]; options: Record<string, unknown> };

/** `cluster` options checked and defaulted; the key is resolved separately (see `cluster-key.ts`). */
export interface ClusterSettings {
  transport: TransportSettings;
  instanceId: string;
  channel: string;
  ackTimeoutMs: number;
  heartbeatMs: number;
  insecure: boolean;
  version: string | null;
}

function fail(key: string, problem: string): never {
  throw new ConnectionConfigError('*', `cluster.${key}`, problem);
}

/**
 * Checks `forRoot({ cluster })` and fills in the defaults (S4: every problem fails bootstrap,
 * naming the key, never a value).
 */
export function checkClusterOptions(cluster: unknown): ClusterSettings {
  if (!isPlainObject(cluster)) {
    throw new ConnectionConfigError('*', 'cluster', `must be { transport, instanceId?, channel?, ackTimeout?, key? } (got ${describe(cluster)})`);
  }
  for (const key of Object.keys(cluster)) {
    if (!CLUSTER_KEYS.has(key)) fail(key, `unknown cluster option; use ${[...CLUSTER_KEYS].join(', ')}`);
  }
  const options = cluster as unknown as ClusterOptions;
  const instanceId = options.instanceId ?? defaultInstanceId();
  if (typeof instanceId !== 'string' || !INSTANCE_ID_PATTERN.test(instanceId)) {
    fail('instanceId', 'must be 1 to 128 letters, digits, "-" or "_", starting with a letter or digit');
  }
  const channel = options.channel ?? DEFAULT_CLUSTER_CHANNEL;
  if (typeof channel !== 'string' || channel.length > 200 || !CHANNEL_PATTERN.test(channel)) {
    fail('channel', 'must be letters, digits, "-" and "_", in parts joined by "." or ":"');
  }
  const ackTimeoutMs = positiveDuration('ackTimeout', options.ackTimeout, DEFAULT_ACK_TIMEOUT_MS);
  const heartbeatMs = positiveDuration('heartbeat', options.heartbeat, DEFAULT_HEARTBEAT_MS);
  if (heartbeatMs < 50) fail('heartbeat', 'must be at least 50ms');
  if (options.insecure !== undefined && typeof options.insecure !== 'boolean') {
    fail('insecure', `must be true or false (got ${describe(options.insecure)})`);
  }
  if (options.key !== undefined) checkKey(options.key, 'cluster.key option');
  if (options.version !== undefined && typeof options.version !== 'string') {
    fail('version', `must be a string (got ${describe(options.version)})`);
  }
  return {
    transport: transportOf(options.transport),
    instanceId,
    channel,
    ackTimeoutMs,
    heartbeatMs,
    insecure: options.insecure === true,
    version: options.version ?? defaultVersion(),
  };
}

/** A key must be a string of at least MIN_KEY_LENGTH characters. The message never shows it. */
export function checkKey(key: unknown, where: string): asserts key is string {
  if (typeof key !== 'string' || key.length < MIN_KEY_LENGTH) {
    throw new ConnectionConfigError(
      '*',
      'cluster.key',
      `the key from the ${where} must be a string of at least ${MIN_KEY_LENGTH} characters (got ${typeof key === 'string' ? `${key.length} characters` : describe(key)})`,
    );
  }
}

function positiveDuration(key: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
  if (ms === undefined || ms === 0) {
    fail(key, `must be a positive duration: milliseconds, or a string such as "500ms", "2s" (got ${describe(value)})`);
  }
  return ms;
}

function transportOf(value: unknown): TransportSettings {
  if (value === undefined) fail('transport', 'is required: "redis", "nats", a redis:// or nats:// URL, or { type, ... }');
  if (typeof value === 'string') {
    if (value === 'redis') return { type: 'redis', url: DEFAULT_REDIS_URL, options: {} };
    if (value === 'nats') return { type: 'nats', servers: DEFAULT_NATS_SERVERS, options: {} };
    if (/^rediss?:\/\//i.test(value)) return { type: 'redis', url: value, options: {} };
    if (/^nats:\/\//i.test(value)) return { type: 'nats', servers: [value], options: {} };
    fail('transport', 'must be "redis", "nats", a redis://, rediss:// or nats:// URL, or { type: "redis" | "nats", ... }');
  }
  if (!isPlainObject(value) || (value.type !== 'redis' && value.type !== 'nats')) {
    fail('transport', `must be "redis", "nats", a URL, or { type: "redis" | "nats", ... } (got ${describe(value)})`);
  }
  const type = value.type;
  for (const key of Object.keys(value)) {
    if (!TRANSPORT_KEYS[type].has(key)) fail(`transport.${key}`, `unknown ${type} transport option; use ${[...TRANSPORT_KEYS[type]].join(', ')}`);
  }
  if (value.options !== undefined && !isPlainObject(value.options)) {
    fail('transport.options', `must be an object (got ${describe(value.options)})`);
  }
  const options = (value.options as Record<string, unknown> | undefined) ?? {};
  if (type === 'redis') {
    if (value.url !== undefined && (typeof value.url !== 'string' || !/^rediss?:\/\//i.test(value.url))) {
      fail('transport.url', 'must be a redis:// or rediss:// URL');
    }
    return { type, url: (value.url as string | undefined) ?? DEFAULT_REDIS_URL, options };
  }
  const servers = value.servers ?? DEFAULT_NATS_SERVERS;
  const list = typeof servers === 'string' ? [servers] : servers;
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string' || s.length === 0)) {
    fail('transport.servers', 'must be a server ("host:port" or a nats:// URL) or a non-empty array of them');
  }
  return { type, servers: list as string[], options };
}

/** `${hostname}-${pid}-${random}`, with whatever the id pattern refuses (dots of an FQDN) turned into "-". */
export function defaultInstanceId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 80) || 'replica';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** The app's version: `npm_package_version` (under `npm start`), else ./package.json's, else null. */
function defaultVersion(): string | null {
  if (process.env.npm_package_version) return process.env.npm_package_version;
  try {
    const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}
