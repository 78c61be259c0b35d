import type { ClusterReply, ClusterResetResult } from '../interfaces/cluster.interfaces.js';

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
