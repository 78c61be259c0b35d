import { inspect } from 'node:util';
import { Observable, Subject } from 'rxjs';
import type { ConnectionBinding } from './connection-binding.js';
import { kAbandon, kBind, kBinding, kBound, kClose, kDisconnect, kEmit, kEvicted, kKeyInfo, kKeys, kOpen, kRebind, kTries, kValidate } from './connection.symbols.js';
import type { EmitExtra } from './connection-connector.js';
import type { ConnectionHandle } from './connection-handle.js';
import { ConnectionHost } from './connection-host.js';
import { currentConnectionKey } from './connection-key.context.js';
import { ConnectionLifecycle } from './connection-lifecycle.js';
import { KeyedLifecycles, requireConnectionKey } from './keyed-lifecycles.js';
import { checkOptions, emitEvent, keyedInfo, lifecycleInfo } from './connection-info.builder.js';
import { functionOptionsOf, openKey, openWithOptions } from './option-functions.js';
import { ConnectError, ConnectionConfigError, ConnectionKeyError, ConnectionsError, PingError } from '../errors/connection.errors.js';
import type { ConnectionEvent, ConnectionEventType } from '../interfaces/connection-event.interface.js';
import type { ConnectionInfo, ConnectionPoolInfo, ConnectionState } from '../interfaces/connection-info.interface.js';
import type { FunctionOptionKind } from '../interfaces/option-value.interface.js';
import type { ResetOptions, ResetResult } from '../interfaces/reset-result.interface.js';
import type { ConnectContext, UseOptions } from '../interfaces/use-options.interface.js';
import { maskError } from '../utils/mask.util.js';

/**
 * A named, lazily connected, resettable connection: the Nest counterpart of Streamlit's
 * `BaseConnection`.
 *
 * Extend it, implement `_connect`, decorate the class with `@Connection()` and register it
 * with `ConnectionsModule`. Then:
 *
 * - Nothing connects at bootstrap (unless `eager`, L1). The first `resolve()` (or `use()`)
 *   calls `_connect(options)` once, however many callers race for it (L2); they all get the
 *   same instance, or all the same error. Later calls get that instance without calling
 *   `_connect` (L3). A failed connect is never cached: the next call tries again (L4).
 * - `reset()` takes the instance out of service; the next `resolve()` calls `_connect` again
 *   (R2). `use()` calls already running finish on the old instance, and `_disconnect` runs on
 *   it once, after they end or after `drainTimeout` (R5). New callers never wait for that (R6).
 * - With a `ttl`, an instance older than the ttl is replaced on the next `resolve()` (T1).
 * - When the application closes, every instance is disposed once and `resolve()` rejects with
 *   `ConnectionClosedError` (D1).
 *
 * `_connect` may therefore run again on every reset and, for a swap or a fenced connect, while
 * another instance is still open: one-time side effects (schema sync, migrations) do not
 * belong in it. It receives its own copy of the options.
 *
 * This class is the author's side: hooks, options, events, `info()`. The state machine that
 * keeps L1-L4, R1-R8, T1 and D1 is `ConnectionLifecycle` (`connection-lifecycle.ts`).
 */
// It is its lifecycles' `KeyedOwner` structurally, through the internal symbol-keyed members
// below (no `implements` clause: the published types leave those members out).
export abstract class BaseConnection<TRaw = unknown, TOptions extends object = Record<string, unknown>> {
  #binding: ConnectionBinding | null = null;
  /**
   * Created on first use: an idle connection holds none. Typed loosely on purpose: a field of
   * `ConnectionLifecycle<TRaw>` would make `BaseConnection` invariant in `TRaw`, and a
   * `BaseConnection<Knex>` must stay assignable to `BaseConnection<unknown>`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  #lifecycle: ConnectionLifecycle<any> | null = null;
  #subject: Subject<ConnectionEvent> | null = null;
  /** A keyed connection's live keys, each with its own lifecycle (created on first use). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  #keys: KeyedLifecycles<any> | null = null;

  /** The name this connection is registered under. */
  get name(): string {
    return this[kBound]().name;
  }

  /** `idle`, `connecting`, `connected`, `failed` or `closed`. */
  get state(): ConnectionState {
    if (this.#keys) return this.info().state;
    return this.#lifecycle?.state ?? 'idle';
  }

  /** How many instances `_connect` has created so far (for a keyed connection: over all keys). */
  get generation(): number {
    if (this.#keys) return this.info().generation;
    return this.#lifecycle?.stats.generation ?? 0;
  }

  /**
   * The handle of one key of a keyed connection (`@Connection({ keyed })`): `resolve()`,
   * `use()`, `reset()`, `info()` of that key's own instance. The same handle while the key lives.
   */
  for(key: string): ConnectionHandle<TRaw> {
    return (this.#keys ?? this.#startKeys()).handle(key);
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
    const lifecycle = this.#lifecycle;
    if (lifecycle !== null) return lifecycle.resolve();
    try {
      return this.#keyed() ? this.for(this.#currentKey()).resolve() : this.#start().resolve();
    } catch (err) {
      return Promise.reject(err);
    }
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
    const lifecycle = this.#lifecycle;
    if (lifecycle !== null) return lifecycle.use(fn, this[kTries](opts));
    try {
      return this.#keyed() ? this.for(this.#currentKey()).use(fn, opts) : this.#start().use(fn, this[kTries](opts));
    } catch (err) {
      return Promise.reject(err);
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
   *   nothing is disposed, and the error is thrown (R7). Concurrent swaps share one replacement.
   *
   * Resolves as soon as the old instance is out of service; its disposal follows (see the
   * `disposed` event).
   */
  async reset(opts: ResetOptions = {}): Promise<ResetResult> {
    const strategy = opts.strategy ?? 'drop';
    if (strategy !== 'drop' && strategy !== 'swap') {
      throw new ConnectionConfigError(this.name, 'strategy', `unknown reset strategy; use "drop" or "swap"`);
    }
    if (!this.#keyed()) {
      if (opts.key !== undefined) throw new ConnectionKeyError(this.name, `is not keyed: it has no key "${String(opts.key).slice(0, 50)}" to reset`);
      return (this.#lifecycle ?? this.#start()).reset(strategy);
    }
    // A keyed connection: the current key's instance, or (outside any key) every key's.
    const key = opts.key ?? currentConnectionKey();
    if (key !== undefined) return this.for(key).reset({ strategy });
    const before = this.generation;
    const results = this.#keys ? await this.#keys.resetAll({ strategy }) : [];
    return { name: this.name, reset: results.some((r) => r.reset), previousGeneration: before, generation: this.generation };
  }

  /** A JSON-safe snapshot with no secret value in it (M1). */
  info(): ConnectionInfo {
    if (this.#keyed()) return keyedInfo(this[kBound](), this.#keys);
    return this[kKeyInfo](undefined, this.#lifecycle);
  }

  /** @internal `info()` of one lifecycle: the connection's, or one key's. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [kKeyInfo](key: string | undefined, lifecycle: ConnectionLifecycle<any> | null): ConnectionInfo {
    const current = lifecycle?.current ?? null;
    return lifecycleInfo(this[kBound](), lifecycle, key, () => (current ? this._pool(current.raw as TRaw) : undefined));
  }

  /**
   * Option values set in code may be functions, called on each connect: `_connect` gets what
   * they return. A class lists here the top-level keys whose function values it takes as
   * functions instead: `'provider'` (handed to a driver that calls it, such as pg's
   * `password`) or `'callback'` (a driver hook). See `FunctionOptionKind`.
   */
  protected static readonly functionOptions: Readonly<Record<string, FunctionOptionKind>> = {};

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

  /**
   * A keyed connection's options for one key, called before each of that key's connects: gets
   * the connection's merged options with the key's `[connections.<name>.keys.<key>]` table over
   * them, and returns the key's whole options (look the tenant up here; may be async).
   * Default: those options unchanged.
   */
  protected _optionsFor(_key: string, options: TOptions): TOptions | Promise<TOptions> {
    return options;
  }

  /** This connection's merged secrets section (files, then environment), read-only. */
  protected get _secrets(): Readonly<Record<string, unknown>> {
    return this[kBound]().secrets;
  }

  /** The merged options that `_connect` receives. */
  protected get _options(): Readonly<TOptions> {
    return this[kBound]().options as TOptions;
  }

  /**
   * Pings the instance in service (connecting first if needed) through `_ping`. A failed
   * connect leaves as its `ConnectError`; a failed `_ping` as a `PingError` whose message is
   * masked (M1), with the original error as its `cause`.
   */
  async ping(): Promise<void> {
    try {
      await this.use((raw) => this._ping(raw));
    } catch (err) {
      if (err instanceof ConnectionsError) throw err;
      const binding = this[kBound]();
      throw new PingError(binding.name, maskError(err, binding.secretValues), err);
    }
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
    return `${this.constructor.name} { name: '${name}', state: '${state}', generation: ${generation}, ${this.#binding.about} }`;
  }

  // ---- registry entry points (internal) ----------------------------------------------------

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

  /** @internal */
  get [kBinding](): ConnectionBinding | null {
    return this.#binding;
  }

  /** @internal Shutdown (D1): see `ConnectionLifecycle.close`; then emits `closed`. Idempotent. */
  async [kClose](): Promise<void> {
    if (this.#keyed()) {
      const keys = this.#keys ?? this.#startKeys();
      if (keys.closed) return;
      await keys.close();
      this.#emit('closed', this.generation, undefined, undefined);
      this.#subject?.complete();
      return;
    }
    const lifecycle = this.#lifecycle ?? this.#start();
    const first = lifecycle.state !== 'closed';
    await lifecycle.close();
    if (!first) return;
    this.#emit('closed', lifecycle.stats.generation, undefined, undefined);
    this.#subject?.complete();
  }

  /** @internal Past the shutdown deadline: callers still waiting on a connect are released. */
  [kAbandon](): void {
    this.#lifecycle?.abandon();
    this.#keys?.abandon();
  }

  /** @internal A keyed connection's keys (admin pages, registry resets), or null. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [kKeys](): KeyedLifecycles<any> | null {
    return this.#keyed() ? (this.#keys ?? this.#startKeys()) : null;
  }

  /** @internal */
  [kBound](): ConnectionBinding {
    if (this.#binding) return this.#binding;
    throw new ConnectionConfigError(
      this.constructor.name,
      undefined,
      `${this.constructor.name} is not registered: list it in ConnectionsModule.forRoot({ connections }) or forFeature()`,
    );
  }

  /**
   * @internal `_connect` with its own copy of the options (for a key: that key's options), their
   * function values called first (option-functions.ts).
   */
  [kOpen](context: ConnectContext, key: string | undefined): Promise<TRaw> | TRaw {
    const binding = this[kBound]();
    const open = (options: TOptions, ctx: ConnectContext) => this._connect(options, ctx);
    if (key === undefined) return openWithOptions(binding, functionOptionsOf(this), binding.options as TOptions, context, open);
    return openKey(binding, functionOptionsOf(this), key, context, (k, merged) => this._optionsFor(k, merged), open);
  }

  /** @internal */
  [kTries](opts: UseOptions | undefined): number {
    const retry = opts?.retry;
    return retry === true ? 3 : typeof retry === 'number' ? Math.max(1, Math.floor(retry)) : 1;
  }

  /** @internal A key was retired (beyond `maxEntries`, or idle past `idleTtl`). */
  [kEvicted](key: string, generation: number, _why: 'maxEntries' | 'idleTtl'): void {
    this.#emit('evicted', generation, undefined, key);
  }

  /** @internal */
  [kDisconnect](raw: TRaw): Promise<void> {
    return this._disconnect(raw);
  }

  /** @internal */
  [kEmit](type: ConnectionEventType, generation: number, extra: EmitExtra | undefined, key: string | undefined): void {
    this.#emit(type, generation, extra, key);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  #keyed(): boolean {
    return this[kBound]().keyed !== null;
  }

  #currentKey(): string {
    return requireConnectionKey(this.name);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  #startKeys(): KeyedLifecycles<any> {
    this.#keys = KeyedLifecycles.of<TRaw>(this, this[kBound](), () => this[kBound]().keyed!);
    return this.#keys;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  #start(): ConnectionLifecycle<any> {
    this[kBound](); // an unregistered connection fails here, naming its class
    const host = new ConnectionHost<TRaw>(this, undefined);
    host.lifecycle = this.#lifecycle = new ConnectionLifecycle(host);
    return host.lifecycle;
  }

  #validate(binding: ConnectionBinding): void {
    checkOptions(binding, (options) => this._validateOptions(options as TOptions));
  }

  #emit(type: ConnectionEventType, generation: number, extra: EmitExtra | undefined, key: string | undefined): void {
    if (this.#binding) emitEvent(this.#binding, this.#subject, type, generation, extra, key);
  }
}
