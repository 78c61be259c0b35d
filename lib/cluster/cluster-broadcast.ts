import { ConnectionConfigError } from '../errors/connection.errors.js';
import type { ClusterReply, ClusterResetOptions, ClusterResetResult } from '../interfaces/cluster.interfaces.js';
import type { ResetBody } from './cluster-message.js';
import { isGlob, isTargeted, normalizeTargets } from './instance-targets.js';

/** The body of a cluster reset of `name` (`null`: all), from the caller's options, checked. */
export function resetBodyOf(name: string | null, opts: ClusterResetOptions): ResetBody {
  const label = name ?? '*';
  const targets = normalizeTargets(label, opts.targets);
  const strategy = opts.strategy;
  if (strategy !== undefined && strategy !== 'drop' && strategy !== 'swap') {
    throw new ConnectionConfigError(label, 'strategy', 'unknown reset strategy; use "drop" or "swap"');
  }
  const key = opts.key;
  if (key !== undefined && (name === null || typeof key !== 'string' || key.length === 0)) {
    throw new ConnectionConfigError(label, 'key', 'a cluster reset of one key names one keyed connection and a non-empty key');
  }
  return { name, targets, ...(strategy ? { strategy } : {}), ...(key !== undefined ? { key } : {}) };
}

/**
 * Who a broadcast to `targets` waits for: the live replicas they match (and this one, when it
 * matches), and the exact (non-glob) targets that name no live replica, most likely typos.
 */
export function audienceOf(
  selfId: string,
  liveIds: readonly string[],
  targets: readonly string[] | null,
): { self: boolean; expected: Set<string>; unknown: string[] } {
  const self = isTargeted(selfId, targets);
  const expected = new Set(liveIds.filter((id) => isTargeted(id, targets)));
  if (self) expected.add(selfId);
  const known = new Set([...liveIds, selfId]);
  const unknown = (targets ?? []).filter((target) => !isGlob(target) && !known.has(target)).toSorted();
  return { self, expected, unknown };
}

/**
 * One cluster reset waiting for its answers: it completes when every expected replica has
 * answered, or when `ackTimeoutMs` runs out — whichever is first — and never waits longer.
 * One entry per replica: a second answer from the same id is ignored.
 */
export class PendingBroadcast<T> {
  readonly #replies = new Map<string, ClusterReply<T>>();
  readonly #started = performance.now();
  readonly #timer: NodeJS.Timeout;
  #done = false;
  readonly promise: Promise<ClusterResetResult<T>>;
  #resolve!: (result: ClusterResetResult<T>) => void;

  constructor(
    readonly id: string,
    readonly name: string | null,
    readonly targets: string[] | null,
    /** The live replicas (matching targets) known when the broadcast left. */
    readonly expected: ReadonlySet<string>,
    ackTimeoutMs: number,
    private readonly onDone: () => void,
    /** Exact (non-glob) targets that named no live replica when the broadcast left. */
    readonly unknown: readonly string[] = [],
  ) {
    this.promise = new Promise((resolve) => (this.#resolve = resolve));
    this.#timer = setTimeout(() => this.finish(), ackTimeoutMs);
  }

  /** Records an answer; completes the broadcast when it was the last one expected. */
  add(reply: ClusterReply<T>): void {
    if (this.#done || this.#replies.has(reply.instanceId)) return;
    this.#replies.set(reply.instanceId, reply);
    for (const id of this.expected) if (!this.#replies.has(id)) return;
    this.finish();
  }

  /** Completes now with what has arrived (timeout, or shutdown). */
  finish(): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    this.onDone();
    this.#resolve({
      id: this.id,
      scope: 'cluster',
      name: this.name,
      targets: this.targets,
      replies: [...this.#replies.values()],
      missing: [...this.expected].filter((id) => !this.#replies.has(id)).toSorted(),
      unknown: [...this.unknown],
      durationMs: Math.round((performance.now() - this.#started) * 100) / 100,
    });
  }

  /** The broadcast never left: forget it without an answer. */
  cancel(): void {
    this.#done = true;
    clearTimeout(this.#timer);
    this.onDone();
  }
}
