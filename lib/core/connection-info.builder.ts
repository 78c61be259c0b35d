import type { Subject } from 'rxjs';
import type { ConnectionBinding } from './connection-binding.js';
import type { EmitExtra } from './connection-connector.js';
import type { ConnectionLifecycle } from './connection-lifecycle.js';
import type { KeyedLifecycles } from './keyed-lifecycles.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import type { ConnectionEvent, ConnectionEventType } from '../interfaces/connection-event.interface.js';
import type { ConnectionInfo, ConnectionPoolInfo, ConnectionState } from '../interfaces/connection-info.interface.js';
import { maskError } from '../utils/mask.util.js';
import { poolField } from '../utils/pool-stats.util.js';

/** Which key state a keyed connection reports as its own: the liveliest. */
const STATE_RANK: Record<ConnectionState, number> = { idle: 0, failed: 1, connecting: 2, connected: 3, closed: 4 };

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/**
 * `info()` of one lifecycle (a connection's, or one key's), JSON-safe and masked (M1): what the
 * binding says of its configuration and the lifecycle of its state and counters.
 */
export function lifecycleInfo(
  binding: ConnectionBinding,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  lifecycle: ConnectionLifecycle<any> | null,
  key: string | undefined,
  pool: () => ConnectionPoolInfo | undefined,
): ConnectionInfo {
  const current = lifecycle?.current ?? null;
  const stats = lifecycle?.stats;
  const info: ConnectionInfo = {
    name: binding.name,
    type: binding.type,
    state: lifecycle?.state ?? 'idle',
    generation: stats?.generation ?? 0,
    connectedAt: iso(current?.connectedAt),
    connects: stats?.connects ?? 0,
    failures: stats?.failures ?? 0,
    resets: lifecycle?.resets ?? 0,
    lastError: stats?.lastError ?? null,
    ttlMs: binding.policy.ttlMs,
    refreshAt: iso(lifecycle?.refreshAt),
    leases: current?.leases ?? 0,
    circuit: lifecycle ? lifecycle.circuit : binding.policy.breaker ? 'closed' : null,
    ...poolField(pool),
    ...binding.about,
  };
  if (key !== undefined) info.key = key;
  return info;
}

/**
 * `info()` of a keyed connection: the sums over every key (live and retired), the liveliest
 * state, the earliest refresh due, the latest error, and the key count.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function keyedInfo(binding: ConnectionBinding, keys: KeyedLifecycles<any> | null): ConnectionInfo {
  const totals = { generation: 0, connects: 0, failures: 0, resets: 0, leases: 0, failed: 0 };
  let state: ConnectionState = keys?.closed ? 'closed' : 'idle';
  let lastError: string | null = null;
  let lastErrorAt = -1;
  let refreshAt: number | null = null;
  for (const entry of keys?.entries() ?? []) {
    const { lifecycle } = entry;
    const { stats } = lifecycle;
    totals.generation += stats.generation;
    totals.connects += stats.connects;
    totals.failures += stats.failures;
    totals.resets += lifecycle.resets;
    totals.leases += lifecycle.current?.leases ?? 0;
    const due = lifecycle.refreshAt;
    if (due !== null && (refreshAt === null || due < refreshAt)) refreshAt = due;
    const keyState = lifecycle.state;
    if (keyState === 'failed') totals.failed++;
    if (STATE_RANK[keyState] > STATE_RANK[state]) state = keyState;
    if (stats.lastError !== null && entry.lastUsedAt > lastErrorAt) {
      lastError = stats.lastError;
      lastErrorAt = entry.lastUsedAt;
    }
  }
  const retired = keys?.retiredTotals;
  const max = binding.keyed!.maxEntries;
  return {
    name: binding.name,
    type: binding.type,
    state,
    generation: totals.generation + (retired?.generation ?? 0),
    connectedAt: null,
    connects: totals.connects + (retired?.connects ?? 0),
    failures: totals.failures + (retired?.failures ?? 0),
    resets: totals.resets + (retired?.resets ?? 0),
    lastError,
    ttlMs: binding.policy.ttlMs,
    refreshAt: iso(refreshAt),
    leases: totals.leases,
    circuit: binding.policy.breaker ? 'closed' : null,
    ...binding.about,
    keys: { count: keys?.size ?? 0, max: max === Infinity ? null : max, failed: totals.failed },
  };
}

/**
 * Runs an author's `_validateOptions` on a binding's options (S4). An author's error may say
 * which option is wrong (`key`, and then `problem` without it); the message is masked.
 */
export function checkOptions(binding: ConnectionBinding, validate: (options: Record<string, unknown>) => void): void {
  try {
    validate(binding.options);
  } catch (err) {
    if (err instanceof ConnectionConfigError) throw err;
    const { key, problem } = (err ?? {}) as { key?: unknown; problem?: unknown };
    const named = typeof key === 'string' ? key : undefined;
    const text = named !== undefined && typeof problem === 'string' ? problem : err;
    throw new ConnectionConfigError(binding.name, named, maskError(text, binding.secretValues));
  }
}

/** One `ConnectionEvent` (E1) to the connection's own stream and the registry's, built only when someone listens. */
export function emitEvent(
  binding: ConnectionBinding,
  subject: Subject<ConnectionEvent> | null,
  type: ConnectionEventType,
  generation: number,
  extra: EmitExtra | undefined,
  key: string | undefined,
): void {
  const sink = binding.sink;
  if (!subject?.observed && !sink?.observed) return;
  const event: ConnectionEvent = { name: binding.name, type, generation, at: new Date().toISOString(), ...extra };
  if (key !== undefined) event.key = key;
  subject?.next(event);
  sink?.next(event);
}
