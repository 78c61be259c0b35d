import { REPLAY_WINDOW_MS } from './cluster.constants.js';

/**
 * Lets each message id through once. Ids are remembered for the replay window; a message
 * stamped outside the window is refused as stale, so a captured message cannot be replayed
 * after its id has been forgotten. (The stamp is inside the signed part: it cannot be changed.)
 */
export class ClusterReplayGuard {
  readonly #seen = new Map<string, number>();

  constructor(private readonly windowMs = REPLAY_WINDOW_MS) {}

  /** `ok` the first time an id is seen within the window; `replayed` or `stale` otherwise. */
  admit(id: string, at: number, now = Date.now()): 'ok' | 'replayed' | 'stale' {
    if (Math.abs(now - at) > this.windowMs) return 'stale';
    if (this.#seen.has(id)) return 'replayed';
    this.#seen.set(id, at);
    return 'ok';
  }

  /** Forgets ids whose stamp left the window (they would be refused as stale anyway). */
  prune(now = Date.now()): void {
    const oldest = now - this.windowMs;
    for (const [id, at] of this.#seen) if (at < oldest) this.#seen.delete(id);
  }

  get size(): number {
    return this.#seen.size;
  }
}
