import { BaseConnection } from '../../core/base-connection.js';
import { kBinding } from '../../core/connection.symbols.js';
import type { ConnectionRegistry } from '../../module/connections.registry.js';
import { maskError } from '../../utils/mask.util.js';
import { withTimeout } from '../../utils/timeout.util.js';
import { DEFAULT_PING_TIMEOUT_MS } from './connection-ping.js';
import type {
  ConnectionHealthCheckOptions,
  ConnectionHealthMode,
  ConnectionHealthResult,
  ConnectionsHealthReport,
} from './connections-health.interfaces.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyConnection = BaseConnection<any, any>;

export const HEALTH_MODES: readonly ConnectionHealthMode[] = ['readiness', 'liveness'];

/** Whether `value` names a health mode. */
export function isHealthMode(value: unknown): value is ConnectionHealthMode {
  return HEALTH_MODES.includes(value as ConnectionHealthMode);
}

/**
 * Whether a readiness probe would have to open a connection to ping this one: nothing in
 * service, or an instance past its ttl (the next `use()` replaces it). Read from `info()` in
 * the same tick as the ping starts, so no reset can slip in between.
 */
function wouldConnect(connection: AnyConnection): boolean {
  const { state, connectedAt, ttlMs } = connection.info();
  if (state === 'connecting' || state === 'failed') return false; // joined, or tried again: see below
  if (state !== 'connected' || connectedAt === null) return true;
  return ttlMs !== null && Date.parse(connectedAt) + ttlMs <= Date.now();
}

/**
 * The health of one connection in a probe; never throws.
 *
 * - keyed connections: the key counts (`keys`, `failedKeys`), never a ping of every key;
 * - liveness: its state, always `up` (no I/O at all);
 * - readiness: `closed` is down; an idle connection is `up` + `idle` without any I/O (unless
 *   `connect`); a connected one is pinged through `_ping` within `timeout`; a connect in
 *   flight is joined; one whose last connect failed is tried again (one connect, through its
 *   retry policy and circuit breaker), so a replica taken out of rotation comes back on its own
 *   when the database does.
 */
export async function checkConnection(
  connection: AnyConnection,
  options: ConnectionHealthCheckOptions = {},
): Promise<ConnectionHealthResult> {
  // An overrideProvider() value that is not a BaseConnection (a test double) has nothing to ping.
  if (!(connection instanceof BaseConnection)) return { status: 'up', state: 'idle', idle: true };
  const state = connection.state;
  const keys = connection.info().keys;
  if (keys) {
    // Keyed: one instance per key; a probe reports the counts and pings none of them.
    return { status: state === 'closed' && options.mode !== 'liveness' ? 'down' : 'up', state, keys: keys.count, failedKeys: keys.failed };
  }
  if (options.mode === 'liveness') return { status: 'up', state };
  if (state === 'closed') return { status: 'down', state, error: `Connection "${connection.name}" is closed` };
  if (!options.connect && wouldConnect(connection)) return { status: 'up', state, idle: true };
  const timeoutMs = options.timeout ?? DEFAULT_PING_TIMEOUT_MS;
  try {
    await withTimeout(connection.ping(), timeoutMs, `ping timed out after ${timeoutMs} ms`);
    return { status: 'up', state: connection.state };
  } catch (err) {
    return { status: 'down', state: connection.state, error: maskError(err, connection[kBinding]?.secretValues ?? []) };
  }
}

/** Every connection of the registry at once (or those of `names`), in registration order. */
export async function checkAll(
  registry: ConnectionRegistry,
  options: ConnectionHealthCheckOptions = {},
  names: string[] = registry.names(),
): Promise<ConnectionsHealthReport> {
  const results = await Promise.all(names.map((name) => checkConnection(registry.get(name), options)));
  const connections: Record<string, ConnectionHealthResult> = {};
  names.forEach((name, index) => (connections[name] = results[index]));
  return {
    status: results.some((result) => result.status === 'down') ? 'down' : 'up',
    mode: options.mode ?? 'readiness',
    connections,
  };
}
