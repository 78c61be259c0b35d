import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import type { Slot } from './connection-slot.js';
import type { LifecycleHost } from './connection-lifecycle.js';
import { maskError } from '../utils/mask.util.js';

/**
 * The refresh starts up to this share of `ttl - refreshAhead` early, at random: instances
 * connected together (replicas started at once, the tenants of a keyed connection) then do not
 * all reconnect in the same instant. Early, never late: late would eat into the lead time.
 */
const JITTER = 0.1;

/**
 * `refreshAhead` for one lifecycle: while an instance is in service, a timer at
 * `connectedAt + ttl - refreshAhead` (less jitter) connects its replacement in the background
 * and swaps it in (`refresh`, the lifecycle's swap path), so no caller ever waits for a ttl
 * connect. A failed refresh leaves the instance serving, emits `refresh-failed` and is tried
 * again with cockatiel's exponential backoff (decorrelated jitter), for as long as the instance
 * is younger than its ttl; after that the lazy ttl (T1) replaces it on the next call.
 *
 * The lifecycle tells it which instance is in service (`follow`); any change (reset, expiry,
 * swap, close) cancels the pending timer. Timers are unref'd: they never keep a process alive.
 */
export class RefreshAhead<TRaw> {
  #slot: Slot<TRaw> | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #dueAt: number | null = null;
  #backoff: IBackoff<unknown> | null = null;

  constructor(
    private readonly host: LifecycleHost<TRaw>,
    /** Connects a replacement for `slot` and swaps it in; false when `slot` left service meanwhile. Throws when the connect fails. */
    private readonly refresh: (slot: Slot<TRaw>) => Promise<boolean>,
  ) {}

  /** When the next refresh of the instance in service is due (epoch ms), or null. */
  get refreshAt(): number | null {
    return this.#dueAt;
  }

  /** The instance in service is now `slot` (null: none). Schedules its refresh, cancelling the previous one's. */
  follow(slot: Slot<TRaw> | null): void {
    if (slot === this.#slot) return;
    this.#cancel();
    this.#slot = slot;
    this.#backoff = null;
    const { ttlMs, refreshAheadMs } = this.host.binding.policy;
    if (!slot || ttlMs === null || refreshAheadMs === null) return;
    const lead = ttlMs - refreshAheadMs;
    this.#schedule(slot, slot.connectedAt + lead - Math.random() * lead * JITTER);
  }

  #schedule(slot: Slot<TRaw>, at: number): void {
    this.#dueAt = at;
    const timer = setTimeout(() => void this.#run(slot), Math.max(0, at - Date.now()));
    timer.unref?.();
    this.#timer = timer;
  }

  #cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#dueAt = null;
  }

  async #run(slot: Slot<TRaw>): Promise<void> {
    this.#timer = null;
    if (this.#slot !== slot) return;
    try {
      // On success the lifecycle follows the replacement (which schedules its own refresh).
      await this.refresh(slot);
    } catch (err) {
      if (this.#slot !== slot) return; // reset, expired or closed while the replacement connected
      const binding = this.host.binding;
      const error = maskError(err, binding.secretValues);
      this.host.emit('refresh-failed', slot.generation, { error });
      this.#backoff = this.#backoff
        ? this.#backoff.next(undefined)
        : new ExponentialBackoff({ initialDelay: binding.policy.initialDelayMs, maxDelay: binding.policy.maxDelayMs }).next();
      const at = Date.now() + this.#backoff.duration;
      if (at < slot.expiresAt) {
        this.#schedule(slot, at);
        return;
      }
      this.#dueAt = null;
      binding.logger.warn(
        `Connection "${this.host.label}" could not refresh ahead of its ttl; the instance in service (generation ${slot.generation}) ` +
          `expires at ${new Date(slot.expiresAt).toISOString()} and the next call then connects: ${error}`,
      );
    }
  }
}
