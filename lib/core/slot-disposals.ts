import type { Slot } from './connection-slot.js';
import type { LifecycleHost } from './connection-lifecycle.js';
import { maskError } from '../utils/mask.util.js';
import { withTimeout } from '../utils/timeout.util.js';

/**
 * Disposal of retired slots (R5): each is disposed exactly once, after its leases end or after
 * `drainTimeout`, whichever comes first. Never awaited by callers (R6); shutdown awaits `settled()`.
 */
export class SlotDisposals<TRaw> {
  /** Disposals under way. Allocated on first use: most connections never retire a slot. */
  #pending: Set<Promise<void>> | null = null;

  constructor(private readonly dispose: (slot: Slot<TRaw>) => Promise<void>) {}

  /** Takes `slot` out of service for good and schedules its disposal. Idempotent per slot. */
  retire(slot: Slot<TRaw>, drainTimeoutMs: number): void {
    if (slot.retired) return;
    slot.retired = true;
    const drained =
      slot.leases === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, drainTimeoutMs);
            slot.onDrained = () => {
              clearTimeout(timer);
              resolve();
            };
          });
    const disposal = drained.then(() => {
      slot.onDrained = null;
      return this.dispose(slot);
    });
    const pending = (this.#pending ??= new Set());
    pending.add(disposal);
    void disposal.finally(() => pending.delete(disposal));
  }

  /** Resolves once no disposal is under way, including ones scheduled while waiting. */
  async settled(): Promise<void> {
    while (this.#pending?.size) await Promise.all(this.#pending);
  }
}

/**
 * Runs `_disconnect` on a retired slot and emits `disposed` (with the masked error, if any).
 * `_disconnect` gets `drainTimeout` too: a client stuck on a dead socket must not hold up
 * shutdown for ever. Past that it is abandoned (it may still finish on its own).
 */
export async function disposeSlot<TRaw>(host: LifecycleHost<TRaw>, slot: Slot<TRaw>): Promise<void> {
  const binding = host.binding;
  const started = performance.now();
  let error: string | undefined;
  try {
    const limitMs = binding.policy.drainTimeoutMs;
    await withTimeout(
      Promise.resolve().then(() => host.disconnect(slot.raw)),
      limitMs,
      `_disconnect did not finish within ${limitMs} ms; abandoned`,
    );
  } catch (err) {
    error = maskError(err, binding.secretValues);
    binding.logger.warn(`Connection "${host.label}" failed to disconnect generation ${slot.generation}: ${error}`);
  }
  host.emit('disposed', slot.generation, {
    durationMs: Math.round(performance.now() - started),
    ...(error === undefined ? {} : { error }),
  });
}
