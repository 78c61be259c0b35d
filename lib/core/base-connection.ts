import { inspect } from 'node:util';
import { Observable, Subject } from 'rxjs';
import { ConnectPolicy } from './connect-policy.js';
import { kBind, kBinding, kClose, kRebind, kValidate, type ConnectionBinding } from './connection-binding.js';
import {
  CircuitOpenError,
  ConnectError,
  ConnectionClosedError,
  ConnectionConfigError,
  ConnectionsError,
} from '../errors/connection.errors.js';
import type { ConnectionEvent, ConnectionEventType } from '../interfaces/connection-event.interface.js';
import type { ConnectionInfo, ConnectionPoolInfo, ConnectionState } from '../interfaces/connection-info.interface.js';
import type { ResetOptions, ResetResult } from '../interfaces/reset-result.interface.js';
import type { ConnectContext, UseOptions } from '../interfaces/use-options.interface.js';
import { maskError } from '../utils/mask.util.js';
import { withTimeout } from '../utils/timeout.util.js';
import { poolField } from '../utils/pool-stats.util.js';

/** At most one connect-failure warning per connection in this interval. */
const FAILURE_LOG_INTERVAL_MS = 5_000;

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<T>).then === 'function';
}

/** One instance created by `_connect`, and the bookkeeping that decides when it may be disposed. */
interface Slot<TRaw> {
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

/** A connect in flight, and the epoch it began in (R3 fencing). */
interface Attempt<TRaw> {
  readonly epoch: number;
  promise: Promise<Slot<TRaw>>;
}

/**
 * A named, lazily connected, resettable connection: the Nest counterpart of Streamlit's
 * `BaseConnection`.
 *
 * Extend it, implement `_connect`, decorate the class with `@Connection()` and register it
 * with `ConnectionsModule`. Then:
 *
 * - Nothing connects at bootstrap (unless `eager`). The first `resolve()` (or `use()`) calls
 *   `_connect(options)` once, however many callers race for it (L2); they all get the same
 *   instance, or all the same error. Later calls get that instance without calling `_connect`
 *   (L3). A failed connect is never cached: the next call tries again (L4).
 * - `reset()` takes the instance out of service; the next `resolve()` calls `_connect` again
 *   (R2). `use()` calls already running finish on the old instance, and `_disconnect` runs on
 *   it once, after they end or after `drainTimeout` (R5). New callers never wait for that (R6).
 * - With a `ttl`, an instance older than the ttl is replaced on the next `resolve()` (T1).
 * - When the application closes, every instance is disposed once and `resolve()` rejects with
 *   `ConnectionClosedError` (D1).
 *
 * The whole state machine lives in this class. Its state is three fields:
 * `#current` (the instance in service), `#attempt` (the connect in flight) and `#epoch`
 * (incremented by every reset, expiry and shutdown). A connect that finishes in a later epoch
 * than it began in is fenced: its instance is disposed and never handed out (R3).
 */
export abstract class BaseConnection<TRaw = unknown, TOptions extends object = Record<string, unknown>> {
  #binding: ConnectionBinding | null = null;
  #current: Slot<TRaw> | null = null;
  #attempt: Attempt<TRaw> | null = null;
  #epoch = 0;
  #generation = 0;
  #closed = false;
  #closing: Promise<void> | null = null;
  #lastFailed = false;
  #lastError: string | null = null;
  #connects = 0;
  #failures = 0;
  #resets = 0;
  #subject: Subject<ConnectionEvent> | null = null;
  /** Disposals under way, so shutdown can wait for them. Allocated on first use. */
  #disposals: Set<Promise<void>> | null = null;
  /** Aborts connects in flight at shutdown. Allocated on first connect. */
  #shutdown: AbortController | null = null;
  /** Rate limit of the connect-failure warning: when it was last logged, and how many were held back since. */
  #failureLog: { at: number; held: number } | null = null;

  /** The name this connection is registered under. */
  get name(): string {
    return this.#bound().name;
  }

  /** `idle`, `connecting`, `connected`, `failed` or `closed`. */
  get state(): ConnectionState {
    if (this.#closed) return 'closed';
    if (this.#current) return 'connected';
    if (this.#attempt) return 'connecting';
    return this.#lastFailed ? 'failed' : 'idle';
  }

  /** How many instances `_connect` has created so far. */
  get generation(): number {
    return this.#generation;
  }

  /** This connection's events (E1). */
  get events$(): Observable<ConnectionEvent> {
    this.#subject ??= new Subject<ConnectionEvent>();
    return this.#subject.asObservable();
  }

  /**
   * The instance in service, connecting first if there is none.
   *
   * - connected and not expired: the same instance, without calling `_connect` (L3);
   * - a connect in flight: joins it (L2);
   * - otherwise starts one connect, which every concurrent caller shares.
   */
  resolve(): Promise<TRaw> {
    const current = this.#current;
    // Fast path (L3): `#current` is null once closed, so no other check is needed here.
    if (current !== null && (current.expiresAt === Infinity || Date.now() < current.expiresAt)) {
      return current.promise;
    }
    return this.#acquire().then((slot) => slot.raw);
  }

  /**
   * Runs `fn` on the instance in service, holding a lease on it: a reset that happens
   * meanwhile lets `fn` finish on that instance before `_disconnect` runs on it (R5).
   *
   * With `retry` (for work the caller knows is idempotent), a connection-level error
   * (`_isConnectionError`) resets the instance that failed and runs `fn` again on a fresh one,
   * up to `retry` tries in all (`true` = 3). Without it nothing is ever run twice.
   */
  use<R>(fn: (raw: TRaw) => R | Promise<R>, opts: UseOptions = {}): Promise<R> {
    const tries = opts.retry === true ? 3 : typeof opts.retry === 'number' ? Math.max(1, Math.floor(opts.retry)) : 1;
    const current = this.#current;
    if (tries === 1 && current !== null && (current.expiresAt === Infinity || Date.now() < current.expiresAt)) {
      // Fast path: connected, so the lease is taken synchronously and released when `fn`'s
      // result settles, without the cost of an async function around it.
      current.leases++;
      let result: R | Promise<R>;
      try {
        result = fn(current.raw);
      } catch (err) {
        this.#release(current);
        return Promise.reject(err);
      }
      if (!isThenable(result)) {
        this.#release(current);
        return Promise.resolve(result);
      }
      return Promise.resolve(result).then(
        (value) => {
          this.#release(current);
          return value;
        },
        (err: unknown) => {
          this.#release(current);
          throw err;
        },
      );
    }
    return this.#useLeased(fn, tries);
  }

  /** `use` when not connected yet, or with `retry`: acquire, lease, and retry on a fresh instance. */
  async #useLeased<R>(fn: (raw: TRaw) => R | Promise<R>, tries: number): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const slot = await this.#lease();
      let leased = true;
      try {
        return await fn(slot.raw);
      } catch (err) {
        if (attempt >= tries || !this.isConnectionError(err)) throw err;
        leased = false;
        this.#release(slot);
        // Only the instance that failed is reset: another caller may have replaced it already.
        if (this.#current === slot) this.#drop('reset');
      } finally {
        if (leased) this.#release(slot);
      }
    }
  }

  /**
   * Takes the instance in service (and any connect in flight) out of service.
   *
   * - idle: does nothing and says so (`reset: false`, R1);
   * - `drop` (default): the next `resolve()` connects anew (R2); callers waiting on a connect
   *   that began before the reset get the post-reset instance (R4); the old instance drains
   *   and is disposed once, without delaying anyone (R5, R6).
   * - `swap`: connects the replacement first; if that fails the old instance stays in service,
   *   nothing is disposed, and the error is thrown (R7).
   *
   * Resolves as soon as the old instance is out of service; its disposal follows (see the
   * `disposed` event).
   */
  async reset(opts: ResetOptions = {}): Promise<ResetResult> {
    const strategy = opts.strategy ?? 'drop';
    if (strategy !== 'drop' && strategy !== 'swap') {
      throw new ConnectionConfigError(this.name, 'strategy', `unknown reset strategy; use "drop" or "swap"`);
    }
    if (this.#closed) return this.#result(false, this.#generation, this.#generation);
    if (strategy === 'swap' && this.#current) return this.#swap(this.#current);
    return this.#drop('reset');
  }

  /** A JSON-safe snapshot with no secret value in it (M1). */
  info(): ConnectionInfo {
    const binding = this.#bound();
    const current = this.#current;
    return {
      name: binding.name,
      type: binding.type,
      state: this.state,
      generation: this.#generation,
      connectedAt: current ? new Date(current.connectedAt).toISOString() : null,
      connects: this.#connects,
      failures: this.#failures,
      resets: this.#resets,
      lastError: this.#lastError,
      ttlMs: binding.policy.ttlMs,
      leases: current?.leases ?? 0,
      circuit: binding.connectPolicy?.circuitState ?? (binding.policy.breaker ? 'closed' : null),
      ...poolField(() => (current ? this._pool(current.raw) : undefined)),
    };
  }

  /** Opens a new raw client from the merged options. Verify it (one round trip) before returning. */
  protected abstract _connect(options: TOptions, context: ConnectContext): Promise<TRaw> | TRaw;

  /** Closes a raw client. Runs once per instance, after its `use()` calls drained. Default: nothing. */
  protected async _disconnect(_raw: TRaw): Promise<void> {}

  /** Checks that a raw client still answers (health checks). Default: nothing. */
  protected async _ping(_raw: TRaw): Promise<void> {}

  /**
   * The pool statistics of a raw client, for `info().pool` and the pool metrics; `undefined`
   * when it has no pool (the default). Called on every `info()`: read counters, no I/O.
   */
  protected _pool(_raw: TRaw): ConnectionPoolInfo | undefined {
    return undefined;
  }

  /** Whether an error means the connection itself is broken (so a reset may help). Default: false. */
  protected _isConnectionError(_err: unknown): boolean {
    return false;
  }

  /**
   * Checks the merged options at bootstrap and on each secrets reload; throw to fail it (S4).
   * A thrown error's `key` property (if any) becomes the `ConnectionConfigError`'s key, and its
   * `problem` (if any) the text after it.
   */
  protected _validateOptions(_options: TOptions): void {}

  /** This connection's merged secrets section (files, then environment), read-only. */
  protected get _secrets(): Readonly<Record<string, unknown>> {
    return this.#bound().secrets;
  }

  /** The merged options that `_connect` receives. */
  protected get _options(): Readonly<TOptions> {
    return this.#bound().options as TOptions;
  }

  /** Pings the instance in service (connecting first if needed) through `_ping`. */
  async ping(): Promise<void> {
    await this.use((raw) => this._ping(raw));
  }

  /** Whether `err` is a connection-level error according to `_isConnectionError`. */
  isConnectionError(err: unknown): boolean {
    return err instanceof ConnectError || this._isConnectionError(err);
  }

  /** Masks the secrets of this connection in a message, for authors' own logs and errors. */
  protected _mask(error: unknown): string {
    return maskError(error, this.#binding?.secretValues ?? []);
  }

  toJSON(): ConnectionInfo | { name: string } {
    return this.#binding ? this.info() : { name: '(unregistered)' };
  }

  [inspect.custom](): string {
    if (!this.#binding) return `${this.constructor.name} { (unregistered) }`;
    const { name, state, generation } = this.info();
    return `${this.constructor.name} { name: '${name}', state: '${state}', generation: ${generation} }`;
  }

  // ---- registry entry points --------------------------------------------------------------

  /** @internal Called once by the registry with the connection's name, options and policies. */
  [kBind](binding: ConnectionBinding): void {
    if (this.#binding) {
      throw new ConnectionConfigError(
        binding.name,
        'name',
        `this ${this.constructor.name} instance is already registered as "${this.#binding.name}"`,
      );
    }
    this.#validate(binding);
    this.#binding = binding;
  }

  /** @internal New options after a secrets reload; the caller resets when they changed. */
  [kRebind](binding: ConnectionBinding): void {
    this.#validate(binding);
    this.#binding = binding;
  }

  /** @internal Checks options without applying them (a secrets reload validates everything first). */
  [kValidate](binding: ConnectionBinding): void {
    this.#validate(binding);
  }

  #validate(binding: ConnectionBinding): void {
    try {
      this._validateOptions(binding.options as TOptions);
    } catch (err) {
      if (err instanceof ConnectionConfigError) throw err;
      // An author's error may say which option is wrong (`key`, and then `problem` without it).
      const { key, problem } = (err ?? {}) as { key?: unknown; problem?: unknown };
      const named = typeof key === 'string' ? key : undefined;
      const text = named !== undefined && typeof problem === 'string' ? problem : err;
      throw new ConnectionConfigError(binding.name, named, maskError(text, binding.secretValues));
    }
  }

  /**
   * The binding's connect policy, built on first use. The breaker's transitions become events,
   * so `events$` and the admin page show them.
   */
  #policyOf(binding: ConnectionBinding): ConnectPolicy {
    if (binding.connectPolicy) return binding.connectPolicy;
    const policy = (binding.connectPolicy = new ConnectPolicy(binding.policy));
    const breaker = policy.breaker;
    if (breaker) {
      breaker.onBreak(() => this.#emit('circuit-open', this.#generation));
      breaker.onHalfOpen(() => this.#emit('circuit-half-open', this.#generation));
      breaker.onReset(() => this.#emit('circuit-closed', this.#generation));
    }
    return policy;
  }

  /** @internal */
  get [kBinding](): ConnectionBinding | null {
    return this.#binding;
  }

  /**
   * @internal Shutdown (D1): fences every connect in flight (each is disposed when it
   * finishes), drains and disposes the instance in service, then emits `closed`. Later
   * `resolve()` calls reject with `ConnectionClosedError`. Idempotent.
   */
  [kClose](): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.#epoch++;
      this.#shutdown?.abort();
      const current = this.#current;
      this.#current = null;
      this.#attempt = null;
      if (current) this.#retire(current);
      while (this.#disposals?.size) await Promise.all(this.#disposals);
      this.#emit('closed', this.#generation);
      this.#subject?.complete();
    })();
    return this.#closing;
  }

  // ---- the state machine --------------------------------------------------------------------

  #bound(): ConnectionBinding {
    if (this.#binding) return this.#binding;
    throw new ConnectionConfigError(
      this.constructor.name,
      undefined,
      `${this.constructor.name} is not registered: list it in ConnectionsModule.forRoot({ connections }) or forFeature()`,
    );
  }

  /** The slot in service, connecting when there is none. Every path to an instance goes here. */
  #acquire(): Promise<Slot<TRaw>> {
    const binding = this.#bound();
    if (this.#closed) return Promise.reject(new ConnectionClosedError(binding.name));
    const current = this.#current;
    if (current) {
      if (current.expiresAt === Infinity || Date.now() < current.expiresAt) return Promise.resolve(current);
      this.#expire(current);
    }
    // Single flight (L2): concurrent callers share the attempt stored here.
    this.#attempt ??= this.#startAttempt();
    return this.#attempt.promise;
  }

  /** A slot in service with one more lease on it. Never a retired one (see `use`). */
  async #lease(): Promise<Slot<TRaw>> {
    let slot = await this.#acquire();
    // A reset may have retired the slot between its connect and this line: never start new
    // work on a retired instance, take the one in service instead.
    while (slot.retired) slot = await this.#acquire();
    slot.leases++;
    return slot;
  }

  /** Ends one lease; the last lease of a retired slot lets it be disposed (R5). */
  #release(slot: Slot<TRaw>): void {
    slot.leases--;
    if (slot.leases === 0 && slot.retired) slot.onDrained?.();
  }

  #startAttempt(): Attempt<TRaw> {
    const attempt: Attempt<TRaw> = { epoch: this.#epoch, promise: undefined as never };
    attempt.promise = this.#connect().then(
      ({ raw, generation }) => this.#settle(attempt, raw, generation),
      (err: unknown) => this.#fail(attempt, err),
    );
    return attempt;
  }

  /** A connect finished. Install its instance, unless a reset or shutdown fenced it (R3). */
  #settle(attempt: Attempt<TRaw>, raw: TRaw, generation: number): Promise<Slot<TRaw>> | Slot<TRaw> {
    if (this.#attempt === attempt) this.#attempt = null;
    if (attempt.epoch !== this.#epoch) {
      // R3: began before a reset, so it is never handed out; dispose it exactly once.
      this.#retire(this.#slot(raw, generation));
      // R4: whoever waited on it gets the post-reset instance (or ConnectionClosedError).
      return this.#acquire();
    }
    const slot = this.#slot(raw, generation);
    this.#current = slot;
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
    const hadAttempt = this.#attempt !== null;
    const previous = old?.generation ?? this.#generation;
    if (!old && !hadAttempt) {
      // R1: nothing in service or in flight. A reset after a failure still clears `failed`.
      this.#lastFailed = false;
      return this.#result(false, previous, this.#generation);
    }
    this.#epoch++; // fences the attempt in flight, if any
    this.#current = null;
    this.#attempt = null;
    this.#lastFailed = false;
    if (kind === 'reset') this.#resets++;
    this.#emit(kind, previous);
    if (old) this.#retire(old);
    return this.#result(true, previous, this.#generation);
  }

  /** T1: an expired instance leaves through the same fencing and drain path as a reset. */
  #expire(slot: Slot<TRaw>): void {
    if (this.#current === slot) this.#drop('expired');
  }

  /** Swap strategy (R7): the old instance serves until the replacement is connected. */
  async #swap(old: Slot<TRaw>): Promise<ResetResult> {
    const epoch = this.#epoch;
    const { raw, generation } = await this.#connect(); // throws: old stays, nothing disposed
    if (this.#closed || this.#epoch !== epoch) {
      // Another reset, an expiry or shutdown committed first: this replacement is fenced too.
      this.#retire(this.#slot(raw, generation));
      if (this.#closed) throw new ConnectionClosedError(this.name);
      return this.#result(true, old.generation, this.#current?.generation ?? this.#generation);
    }
    this.#epoch++;
    this.#current = this.#slot(raw, generation);
    this.#attempt = null;
    this.#lastFailed = false;
    this.#resets++;
    this.#emit('reset', old.generation);
    this.#retire(old);
    return this.#result(true, old.generation, generation);
  }

  /**
   * One connect through the policies: retries with backoff and jitter, the circuit breaker,
   * the connect timeout. Each `_connect` call emits `connecting` and then `connected` or
   * `connect-failed`. Errors leave as `ConnectError` (masked message, original `cause`),
   * `CircuitOpenError`, or our own configuration errors unchanged.
   */
  async #connect(): Promise<{ raw: TRaw; generation: number }> {
    const binding = this.#bound();
    this.#shutdown ??= new AbortController();
    const shutdownSignal = this.#shutdown.signal;
    try {
      return await this.#policyOf(binding).policy.execute((context) =>
        this.#connectOnce(binding, shutdownSignal, ((context as { attempt?: number }).attempt ?? 0) + 1),
      );
    } catch (err) {
      if (err instanceof ConnectionsError) throw err;
      if (ConnectPolicy.isCircuitOpen(err)) throw new CircuitOpenError(binding.name);
      throw new ConnectError(binding.name, maskError(err, binding.secretValues), err);
    }
  }

  async #connectOnce(
    binding: ConnectionBinding,
    shutdownSignal: AbortSignal,
    attempt: number,
  ): Promise<{ raw: TRaw; generation: number }> {
    if (this.#closed) throw new ConnectionClosedError(binding.name);
    const started = performance.now();
    this.#emit('connecting', this.#generation + 1);
    const timeoutMs = binding.policy.connectTimeoutMs;
    const controller = new AbortController();
    const onShutdown = () => controller.abort(shutdownSignal.reason);
    shutdownSignal.addEventListener('abort', onShutdown, { once: true });
    try {
      // Called now, not in a later microtask: a stampede of callers must not delay the connect.
      // (The executor also turns a synchronous throw of `_connect` into a rejection.)
      const connecting = new Promise<TRaw>((resolve) =>
        resolve(this._connect(binding.options as TOptions, { signal: controller.signal, attempt })),
      );
      const raw =
        timeoutMs === null
          ? await connecting
          : await withTimeout(connecting, timeoutMs, `connect timed out after ${timeoutMs} ms`, () => {
              controller.abort();
              // The late instance, if it ever comes, is disposed: a timeout must not leak it.
              connecting.then(
                (late) => this.#retire(this.#slot(late, 0)),
                () => undefined,
              );
            });
      const generation = ++this.#generation;
      const durationMs = Math.round(performance.now() - started);
      this.#connects++;
      this.#lastError = null;
      this.#emit('connected', generation, { durationMs });
      if (durationMs > binding.policy.slowConnectMs) {
        binding.logger.warn(`Connection "${binding.name}" took ${durationMs} ms to connect`);
      }
      return { raw, generation };
    } catch (err) {
      const message = maskError(err, binding.secretValues);
      this.#failures++;
      this.#lastError = message;
      this.#emit('connect-failed', this.#generation + 1, {
        durationMs: Math.round(performance.now() - started),
        error: message,
      });
      this.#warnConnectFailure(binding, attempt, message);
      throw err;
    } finally {
      shutdownSignal.removeEventListener('abort', onShutdown);
    }
  }

  /**
   * One warning per failed connect, but at most one every `FAILURE_LOG_INTERVAL_MS` per
   * connection: during an outage under load every call tries to connect, and the log must stay
   * readable. The next warning says how many were held back; events and `info()` count them all.
   */
  #warnConnectFailure(binding: ConnectionBinding, attempt: number, message: string): void {
    const now = Date.now();
    const last = this.#failureLog;
    if (last && now - last.at < FAILURE_LOG_INTERVAL_MS) {
      last.held++;
      return;
    }
    const held = last?.held ? ` (${last.held} more failures since the last warning)` : '';
    binding.logger.warn(`Connection "${binding.name}" failed to connect (try ${attempt}): ${message}${held}`);
    this.#failureLog = { at: now, held: 0 };
  }

  #slot(raw: TRaw, generation: number): Slot<TRaw> {
    const connectedAt = Date.now();
    const ttlMs = this.#binding?.policy.ttlMs ?? null;
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

  /**
   * R5: takes a slot out of service for good and disposes it exactly once, after its leases
   * end or after `drainTimeout`, whichever comes first. Never awaited by callers (R6);
   * shutdown awaits `#disposals`.
   */
  #retire(slot: Slot<TRaw>): void {
    if (slot.retired) return;
    slot.retired = true;
    const drainTimeoutMs = this.#binding?.policy.drainTimeoutMs ?? 0;
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
    const disposal = drained.then(() => this.#dispose(slot));
    const disposals = (this.#disposals ??= new Set());
    disposals.add(disposal);
    void disposal.finally(() => disposals.delete(disposal));
  }

  async #dispose(slot: Slot<TRaw>): Promise<void> {
    slot.onDrained = null;
    const binding = this.#bound();
    const started = performance.now();
    let error: string | undefined;
    try {
      // `_disconnect` gets `drainTimeout` too: a client stuck on a dead socket must not hold up
      // shutdown for ever. Past that it is abandoned (it may still finish on its own).
      const limitMs = binding.policy.drainTimeoutMs;
      await withTimeout(
        Promise.resolve().then(() => this._disconnect(slot.raw)),
        limitMs,
        `_disconnect did not finish within ${limitMs} ms; abandoned`,
      );
    } catch (err) {
      error = maskError(err, binding.secretValues);
      binding.logger.warn(`Connection "${binding.name}" failed to disconnect generation ${slot.generation}: ${error}`);
    }
    this.#emit('disposed', slot.generation, {
      durationMs: Math.round(performance.now() - started),
      ...(error === undefined ? {} : { error }),
    });
  }

  #emit(type: ConnectionEventType, generation: number, extra?: Pick<ConnectionEvent, 'durationMs' | 'error'>): void {
    const binding = this.#binding;
    if (!binding) return;
    const subject = this.#subject;
    const sink = binding.sink;
    if (!subject?.observed && !sink?.observed) return;
    const event: ConnectionEvent = { name: binding.name, type, generation, at: new Date().toISOString(), ...extra };
    subject?.next(event);
    sink?.next(event);
  }

  #result(reset: boolean, previousGeneration: number, generation: number): ResetResult {
    return { name: this.name, reset, previousGeneration, generation };
  }
}
