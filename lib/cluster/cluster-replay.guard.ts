import type { ClusterDropReason } from '../interfaces/cluster.interfaces.js';
import type { ClusterMessage } from './cluster-message.js';
import type { ClusterMessageSigner } from './cluster-message.signing.js';
import { REPLAY_WINDOW_MS } from './cluster.constants.js';

/**
 * Whether a received payload may be acted on: signed with the key (checked before anything is
 * parsed), for this channel (one signed for another channel, by an app sharing the key, is a
 * replay from elsewhere), and let through by the replay guard.
 */
export function admit(
  wire: string,
  signer: ClusterMessageSigner,
  guard: ClusterReplayGuard,
  channel: string,
): { ok: true; message: ClusterMessage } | { ok: false; reason: ClusterDropReason } {
  const opened = signer.open(wire);
  if (!opened.ok) return opened;
  if (opened.message.channel !== channel) return { ok: false, reason: 'replayed' };
  const admitted = guard.admit(opened.message.id, opened.message.at);
  return admitted === 'ok' ? opened : { ok: false, reason: admitted };
}

/**
 * Lets each message id through once. Ids are remembered for the replay window; a message
 * stamped outside the window is refused as stale, so a captured message cannot be replayed
 * after its id has been forgotten. (The stamp is inside the signed part: it cannot be changed.)
 */
export class ClusterReplayGuard {
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly windowMs = REPLAY_WINDOW_MS,
    /**
     * Messages stamped before this are stale: the replica's start. The ids seen die with the
     * process, so without it a capture replayed right after a restart would be let through.
     */
    private readonly notBefore = -Infinity,
  ) {}

  /** `ok` the first time an id is seen within the window (and not before the start); `replayed` or `stale` otherwise. */
  admit(id: string, at: number, now = Date.now()): 'ok' | 'replayed' | 'stale' {
    if (Math.abs(now - at) > this.windowMs || at < this.notBefore) return 'stale';
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
