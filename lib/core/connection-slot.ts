/**
 * One instance created by `_connect`, and the bookkeeping that decides when it may be disposed.
 * Slots are created, leased and retired only by the lifecycle (`connection-lifecycle.ts`).
 */
export interface Slot<TRaw> {
  readonly raw: TRaw;
  /** A settled promise of `raw`: the fast path of `resolve()` hands out this same object. */
  readonly promise: Promise<TRaw>;
  readonly generation: number;
  readonly connectedAt: number;
  /** `Infinity` without a ttl. */
  readonly expiresAt: number;
  /** `use()` calls running on this instance. */
  leases: number;
  /** Out of service: no new lease may start on it. */
  retired: boolean;
  /** Called when the last lease of a retired slot ends. */
  onDrained: (() => void) | null;
}

export function newSlot<TRaw>(raw: TRaw, generation: number, ttlMs: number | null): Slot<TRaw> {
  const connectedAt = Date.now();
  return {
    raw,
    promise: Promise.resolve(raw),
    generation,
    connectedAt,
    expiresAt: ttlMs === null ? Infinity : connectedAt + ttlMs,
    leases: 0,
    retired: false,
    onDrained: null,
  };
}

/** Not past its ttl (T1). */
export function isFresh(slot: Slot<unknown>): boolean {
  return slot.expiresAt === Infinity || Date.now() < slot.expiresAt;
}

/** Ends one lease; the last lease of a retired slot lets it be disposed (R5). */
export function releaseLease(slot: Slot<unknown>): void {
  slot.leases--;
  if (slot.leases === 0 && slot.retired) slot.onDrained?.();
}

/**
 * Runs `fn` on a slot in service holding a lease on it (R5): taken now, released when `fn`'s
 * result settles, so a reset meanwhile lets `fn` finish before the slot is disposed.
 */
export function runLeased<TRaw, R>(slot: Slot<TRaw>, fn: (raw: TRaw) => R | Promise<R>): Promise<R> {
  slot.leases++;
  let result: R | Promise<R>;
  try {
    result = fn(slot.raw);
  } catch (err) {
    releaseLease(slot);
    return Promise.reject(err);
  }
  if (!isThenable(result)) {
    releaseLease(slot);
    return Promise.resolve(result);
  }
  return Promise.resolve(result).then(
    (value) => {
      releaseLease(slot);
      return value;
    },
    (err: unknown) => {
      releaseLease(slot);
      throw err;
    },
  );
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<T>).then === 'function';
}
