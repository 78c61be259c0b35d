import { Connector, type ConnectStats, type ConnectorHost } from './connection-connector.js';
import { isFresh, newSlot, releaseLease, runLeased, type Slot } from './connection-slot.js';
import { RefreshAhead } from './refresh-ahead.js';
import { SlotDisposals, disposeSlot } from './slot-disposals.js';
import { ConnectionClosedError } from '../errors/connection.errors.js';
import type { ConnectionState } from '../interfaces/connection-info.interface.js';
import type { ResetResult, ResetStrategy } from '../interfaces/reset-result.interface.js';

/**
 * The state machine of one connection (or, for a keyed connection, of one key).
 *
 * Its whole state is three fields: `#current` (the instance in service), `#attempt` (the
 * connect in flight) and `#epoch` (incremented by every reset, expiry and shutdown). A connect
 * that finishes in a later epoch than it began in is fenced: its instance is disposed and never
 * handed out (R3). `state` is derived from them:
 *
 * | state \ event | resolve / use             | connect settles           | reset (drop)                     | reset (swap)                                   | ttl passed, then resolve | close                      |
 * |---------------|---------------------------|---------------------------|----------------------------------|------------------------------------------------|--------------------------|----------------------------|
 * | idle          | -> connecting (L1: lazy)  | -                         | idle, `reset: false` (R1)        | as drop                                        | -                        | -> closed                  |
 * | connecting    | joins the attempt (L2)    | ok -> connected; error -> failed, not cached (L4) | -> idle; attempt fenced (R3), its waiters get the next instance (R4) | as drop | - | -> closed; attempt fenced |
 * | connected     | same instance (L3)        | -                         | -> idle; old drains, disposed once (R5, R6) | new first; -> connected (new), old drains; on failure old stays (R7) | -> connecting; old drains (T1) | -> closed; drains (D1) |
 * | failed        | -> connecting (L4)        | -                         | -> idle                          | as drop                                        | -                        | -> closed                  |
 * | closed        | rejects `ConnectionClosedError` (D1) | fenced: disposed when it arrives | `reset: false` | `reset: false`                         | -                        | closed                     |
 *
 * With `refreshAhead`, a connected instance also has a refresh due before its ttl
 * (`refresh-ahead.ts`): the replacement connects in the background and takes over as in a swap,
 * the old one draining; a failed refresh leaves it connected (retried with backoff). A refresh
 * fences nothing: a reset or swap that commits meanwhile wins over it.
 *
 * Every path to an instance goes through `#acquire`; every instance leaves through
 * `#disposals.retire` (exactly once, after its leases drained or `drainTimeout`).
 */
export class ConnectionLifecycle<TRaw> {
  #current: Slot<TRaw> | null = null;
  #attempt: Attempt<TRaw> | null = null;
  #epoch = 0;
  #closed = false;
  #closing: Promise<void> | null = null;
  #lastFailed = false;
  #resets = 0;
  /**
   * The swap in flight, and the binding (options) it connects with: concurrent swaps with the
   * same options join it rather than each opening a replacement (R7); a swap asked for with newer
   * options (a secrets reload) runs after it, so the newest options end up in service.
   */
  #swapping: { promise: Promise<ResetResult>; binding: object } | null = null;
  /** Attempts whose callers still wait (the one in flight and fenced ones), so a shutdown deadline can release them. */
  #waiting: Set<Attempt<TRaw>> | null = null;
  /** `_connect` calls (connects and swaps) not settled yet, so a retired key can wait for every instance it made. */
  #connecting: Set<Promise<unknown>> | null = null;
  readonly stats: ConnectStats = { generation: 0, connects: 0, failures: 0, lastError: null };
  readonly #connector: Connector<TRaw>;
  /** Created on the first retirement: most keys of a keyed connection never retire an instance. */
  #disposalsOf: SlotDisposals<TRaw> | null = null;
  /** Allocated once an instance with `refreshAhead` is in service. */
  #refresh: RefreshAhead<TRaw> | null = null;

  constructor(private readonly host: LifecycleHost<TRaw>) {
    this.#connector = new Connector(host, this.stats);
  }

  get #disposals(): SlotDisposals<TRaw> {
    return (this.#disposalsOf ??= new SlotDisposals((slot) => disposeSlot(this.host, slot)));
  }

  get state(): ConnectionState {
    if (this.#closed) return 'closed';
    if (this.#current) return 'connected';
    if (this.#attempt) return 'connecting';
    return this.#lastFailed ? 'failed' : 'idle';
  }

  /** The instance in service, if any (for `info()`; never connects). */
  get current(): Slot<TRaw> | null {
    return this.#current;
  }

  get resets(): number {
    return this.#resets;
  }

  get circuit() {
    return this.#connector.circuit;
  }

  /** When the next background refresh is due (epoch ms), or null. */
  get refreshAt(): number | null {
    return this.#refresh?.refreshAt ?? null;
  }

  /** L3 fast path, else L2 single flight. `#current` is null once closed, so no other check is needed. */
  resolve(): Promise<TRaw> {
    const current = this.#current;
    if (current !== null && isFresh(current)) return current.promise;
    return this.#acquire().then((slot) => slot.raw);
  }

  /**
   * Runs `fn` holding a lease on the instance in service (R5). The lease is taken in the same
   * synchronous step that starts `fn`, so `fn` never starts on an instance a reset has
   * retired. With `tries > 1`, a connection-level error resets the instance that failed and
   * runs `fn` again on a fresh one.
   */
  use<R>(fn: (raw: TRaw) => R | Promise<R>, tries: number): Promise<R> {
    const current = this.#current;
    // Fast path: connected, so the lease is taken synchronously, without an async wrapper.
    if (tries === 1 && current !== null && isFresh(current)) return runLeased(current, fn);
    return this.#useLeased(fn, tries);
  }

  async #useLeased<R>(fn: (raw: TRaw) => R | Promise<R>, tries: number): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const slot = await this.#acquire();
      // A reset may have retired the slot while this call waited: never start new work on a
      // retired instance. Nothing is awaited between this check, the lease and `fn`'s start.
      if (slot.retired) {
        attempt--;
        continue;
      }
      slot.leases++;
      let leased = true;
      try {
        return await fn(slot.raw);
      } catch (err) {
        if (attempt >= tries || !this.host.isConnectionError(err)) throw err;
        leased = false;
        releaseLease(slot);
        // Only the instance that failed is reset: another caller may have replaced it already.
        if (this.#current === slot) this.#drop('reset');
      } finally {
        if (leased) releaseLease(slot);
      }
    }
  }

  /** R1, R2, R7, R8: see the table. Resolves once the old instance is out of service. */
  reset(strategy: ResetStrategy): Promise<ResetResult> | ResetResult {
    if (this.#closed) return this.#result(false, this.stats.generation, this.stats.generation);
    if (strategy === 'swap' && this.#current) return this.#joinSwap();
    return this.#drop('reset');
  }

  #joinSwap(): Promise<ResetResult> {
    const binding = this.host.binding;
    const inFlight = this.#swapping;
    if (inFlight?.binding === binding) return inFlight.promise;
    const start = (): Promise<ResetResult> => {
      const current = this.#current;
      if (this.#closed || !current) return Promise.resolve(this.reset('drop'));
      return this.#track(this.#swap(current));
    };
    const promise: Promise<ResetResult> = (inFlight ? inFlight.promise.then(start, start) : start()).finally(() => {
      if (this.#swapping?.promise === promise) this.#swapping = null;
    });
    this.#swapping = { promise, binding };
    return promise;
  }

  /**
   * D1: fences every connect in flight (each is disposed when it finishes), drains and disposes
   * the instance in service. Callers waiting on a connect, and later `resolve()` calls, reject
   * with `ConnectionClosedError`. Idempotent; resolves when every disposal has finished.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.#epoch++;
      this.#connector.close();
      this.abandon();
      const current = this.#current;
      this.#current = null;
      this.#refresh?.follow(null);
      this.#attempt = null;
      if (current) this.#retire(current);
      await this.#disposalsOf?.settled();
    })();
    return this.#closing;
  }

  /**
   * A keyed connection's key leaves: `close()`, and then every connect still in flight settles
   * and what it made is disposed too. Resolves when no instance of this lifecycle is left.
   */
  async retire(): Promise<void> {
    await this.close();
    while (this.#connecting?.size) await Promise.allSettled(this.#connecting);
    await this.#disposalsOf?.settled();
  }

  /**
   * Past the shutdown deadline: callers still waiting on a connect (one stuck on a half-open
   * network path, say) get `ConnectionClosedError` now, so their requests end and the app can.
   * The connects themselves are left to finish; their instances are disposed if they ever do.
   */
  abandon(): void {
    for (const attempt of this.#waiting ?? []) attempt.release(new ConnectionClosedError(this.host.binding.name));
    this.#waiting?.clear();
  }

  #acquire(): Promise<Slot<TRaw>> {
    if (this.#closed) return Promise.reject(new ConnectionClosedError(this.host.binding.name));
    const current = this.#current;
    if (current) {
      if (isFresh(current)) return Promise.resolve(current);
      this.#drop('expired'); // T1: an expired instance leaves through the reset path
    }
    // Single flight (L2): concurrent callers share the attempt stored here.
    this.#attempt ??= this.#startAttempt();
    return this.#attempt.promise;
  }

  #startAttempt(): Attempt<TRaw> {
    const attempt = { epoch: this.#epoch } as Attempt<TRaw>;
    const waiting = (this.#waiting ??= new Set());
    attempt.promise = new Promise<Slot<TRaw>>((resolve, reject) => {
      attempt.release = reject;
      // Tracked until settled, fenced instances included (see `retire`).
      // What the waiters get may be another attempt's promise (R4). They may also have been
      // released already (shutdown): then nobody adopts it, so its rejection is handled here.
      const hand = (next: Slot<TRaw> | Promise<Slot<TRaw>>) => {
        if (next instanceof Promise) next.catch(() => undefined);
        resolve(next);
      };
      this.#track(
        this.#connector.connect().then(
          ({ raw, generation }) => hand(this.#settle(attempt, raw, generation)),
          (err: unknown) => {
            try {
              hand(this.#fail(attempt, err));
            } catch (failure) {
              reject(failure);
            }
          },
        ),
      );
    });
    waiting.add(attempt);
    const done = () => {
      waiting.delete(attempt);
      if (waiting.size === 0 && this.#waiting === waiting) this.#waiting = null;
    };
    void attempt.promise.then(done, done);
    return attempt;
  }

  /** A connect finished. Install its instance, unless a reset or shutdown fenced it (R3). */
  #settle(attempt: Attempt<TRaw>, raw: TRaw, generation: number): Promise<Slot<TRaw>> | Slot<TRaw> {
    if (this.#attempt === attempt) this.#attempt = null;
    const slot = newSlot(raw, generation, this.host.binding.policy.ttlMs);
    if (attempt.epoch !== this.#epoch) {
      // R3: began before a reset, so it is never handed out; disposed exactly once.
      this.#retire(slot);
      // R4: whoever waited on it gets the post-reset instance (or ConnectionClosedError).
      return this.#acquire();
    }
    this.#current = slot;
    this.#follow(slot);
    this.#lastFailed = false;
    return slot;
  }

  /** A connect failed. Not cached (L4): the next `resolve()` starts a new one. */
  #fail(attempt: Attempt<TRaw>, err: unknown): Promise<Slot<TRaw>> {
    if (this.#attempt === attempt) this.#attempt = null;
    if (attempt.epoch !== this.#epoch) return this.#acquire(); // R4, as in #settle
    this.#lastFailed = true;
    throw err;
  }

  /** Drop strategy: out of service now, disposal after the drain. */
  #drop(kind: 'reset' | 'expired'): ResetResult {
    const old = this.#current;
    const previous = old?.generation ?? this.stats.generation;
    if (!old && !this.#attempt) {
      // R1: nothing in service or in flight. A reset after a failure still clears `failed`.
      this.#lastFailed = false;
      return this.#result(false, previous, this.stats.generation);
    }
    this.#epoch++; // fences the attempt in flight, if any
    this.#current = null;
    this.#refresh?.follow(null);
    this.#attempt = null;
    this.#lastFailed = false;
    if (kind === 'reset') this.#resets++;
    this.host.emit(kind, previous);
    if (old) this.#retire(old);
    return this.#result(true, previous, this.stats.generation);
  }

  /** Swap strategy (R7): the old instance serves until the replacement is connected. */
  async #swap(old: Slot<TRaw>): Promise<ResetResult> {
    const epoch = this.#epoch;
    const { raw, generation } = await this.#connector.connect(); // throws: old stays, nothing disposed
    const slot = newSlot(raw, generation, this.host.binding.policy.ttlMs);
    if (this.#closed || this.#epoch !== epoch) {
      // Another reset, an expiry or shutdown committed first: this replacement is fenced too.
      this.#retire(slot);
      if (this.#closed) throw new ConnectionClosedError(this.host.binding.name);
      return this.#result(true, old.generation, this.#current?.generation ?? this.stats.generation);
    }
    // What is in service now: `old`, or a refresh that took over from it meanwhile.
    const replaced = this.#current ?? old;
    this.#epoch++;
    this.#current = slot;
    this.#follow(slot);
    this.#attempt = null;
    this.#lastFailed = false;
    this.#resets++;
    this.host.emit('reset', replaced.generation);
    this.#retire(replaced);
    return this.#result(true, replaced.generation, generation);
  }

  /** `refreshAhead`: swaps a replacement in for `old` unless it left service meanwhile. No epoch bump; throws: old stays. */
  async #refreshOf(old: Slot<TRaw>): Promise<boolean> {
    const { raw, generation } = await this.#connector.connect();
    const slot = newSlot(raw, generation, this.host.binding.policy.ttlMs);
    if (this.#current !== old) {
      this.#retire(slot);
      return false;
    }
    this.#current = slot;
    this.#follow(slot);
    this.host.emit('refreshed', old.generation);
    this.#retire(old);
    return true;
  }

  #follow(slot: Slot<TRaw>): void {
    if (this.host.binding.policy.refreshAheadMs === null && !this.#refresh) return;
    (this.#refresh ??= new RefreshAhead(this.host, (old) => this.#track(this.#refreshOf(old)))).follow(slot);
  }

  /** Counts a connect (with what its settlement does to the instance) until it has settled. */
  #track<T>(connecting: Promise<T>): Promise<T> {
    const set = (this.#connecting ??= new Set());
    set.add(connecting);
    const untrack = () => {
      set.delete(connecting);
      if (set.size === 0 && this.#connecting === set) this.#connecting = null;
    };
    connecting.then(untrack, untrack);
    return connecting;
  }

  /** Disposes an instance that arrived after its connect timed out; it was never in service. */
  discard(raw: TRaw): void {
    this.#retire(newSlot(raw, 0, null));
  }

  #retire(slot: Slot<TRaw>): void {
    this.#disposals.retire(slot, this.host.binding.policy.drainTimeoutMs);
  }

  #result(reset: boolean, previousGeneration: number, generation: number): ResetResult {
    return this.host.result(reset, previousGeneration, generation);
  }
}

/** What a lifecycle needs from its connection besides connecting. */
export interface LifecycleHost<TRaw> extends ConnectorHost<TRaw> {
  /** How logs name it: the connection's name (and key). */
  readonly label: string;
  disconnect(raw: TRaw): Promise<void> | void;
  isConnectionError(err: unknown): boolean;
  result(reset: boolean, previousGeneration: number, generation: number): ResetResult;
}

/** A connect in flight, and the epoch it began in (R3 fencing). */
interface Attempt<TRaw> {
  readonly epoch: number;
  promise: Promise<Slot<TRaw>>;
  /** Rejects the callers waiting on it (shutdown deadline). */
  release: (err: Error) => void;
}
