import { ConnectionHost, type HostedConnection } from './connection-host.js';
import { kEvicted, kKeyInfo, kTries } from './connection.symbols.js';
import type { ConnectionHandle } from './connection-handle.js';
import { ConnectionLifecycle } from './connection-lifecycle.js';
import type { ConnectionBinding, KeyedBinding } from './connection-binding.js';
import { currentConnectionKey } from './connection-key.context.js';
import { ConnectionKeyError } from '../errors/connection.errors.js';
import type { ConnectionInfo, ConnectionState } from '../interfaces/connection-info.interface.js';
import type { ConnectionKeyInfo, ConnectionKeysPage } from '../interfaces/keyed-options.interface.js';
import type { ResetOptions, ResetResult } from '../interfaces/reset-result.interface.js';
import type { UseOptions } from '../interfaces/use-options.interface.js';
import { COARSE_CLOCK_RESOLUTION_MS, coarseNow, holdCoarseClock } from '../utils/coarse-clock.util.js';

/** Longest key accepted: keys end up in URLs, logs and event streams. */
export const MAX_KEY_LENGTH = 200;

/** The key of the current request or job (K3), or `ConnectionKeyError` naming the keyed connection used outside any. */
export function requireConnectionKey(name: string): string {
  const key = currentConnectionKey();
  if (key !== undefined) return key;
  throw new ConnectionKeyError(
    name,
    'is keyed and was used outside any key: use conn.for(key), or call it inside a request of ConnectionsModule.forRoot({ keyFrom }) or inside runWithConnectionKey(key, fn)',
  );
}

/** What a key's handle needs from the connection that owns it. */
export interface KeyedOwner<TRaw> extends HostedConnection<TRaw> {
  /** `info()` of one key, from its lifecycle. */
  [kKeyInfo](key: string, lifecycle: ConnectionLifecycle<TRaw>): ConnectionInfo;
  /** `use()`'s number of tries from its options. */
  [kTries](opts: UseOptions | undefined): number;
  /** A key was retired: the `evicted` event. */
  [kEvicted](key: string, generation: number, why: 'maxEntries' | 'idleTtl'): void;
}

/**
 * The live keys of a keyed connection, each with a lifecycle of its own, so every promise of a
 * connection holds per key: single flight per key (different keys connect in parallel),
 * fencing, drain, swap, ttl, shutdown.
 *
 * Bounds (K2): beyond `maxEntries` the least recently used key is retired: its `use()` calls
 * finish first, then `_disconnect` runs once. The new key's `_connect` waits until the retired
 * key's instance is disposed, so live instances never exceed `maxEntries`. A key unused for
 * `idleTtl` is retired the same way. A retired key asked for again connects anew.
 *
 * Least recently used, in O(1): the live entries also form a list from least to most recently
 * used; each use moves its entry to the most recent end (a few pointer writes).
 */
export class KeyedLifecycles<TRaw> {
  readonly #entries = new Map<string, KeyEntry<TRaw>>();
  /** Counters of retired keys, so the connection's totals survive eviction. */
  readonly retiredTotals = { generation: 0, connects: 0, failures: 0, resets: 0 };
  /** Retirements whose disposal is under way: a new key waits for them (the bound is on live instances). */
  #retiring: Set<Promise<void>> | null = null;
  /** Least and most recently used ends of the list. */
  #oldest: KeyEntry<TRaw> | null = null;
  #newest: KeyEntry<TRaw> | null = null;
  #sweeper: NodeJS.Timeout | null = null;
  #closed = false;
  /** Releases the coarse clock that stamps uses; held while the keys are open. */
  #releaseClock: (() => void) | null = holdCoarseClock();

  constructor(
    private readonly owner: KeyedOwner<TRaw>,
    private readonly name: () => string,
    private readonly policy: () => KeyedBinding,
  ) {}

  /** The keys of a keyed connection; `ConnectionKeyError` for one that is not keyed (`for()` on it). */
  static of<TRaw>(owner: KeyedOwner<TRaw>, binding: ConnectionBinding, policy: () => KeyedBinding): KeyedLifecycles<TRaw> {
    if (!binding.keyed) {
      throw new ConnectionKeyError(binding.name, 'is not keyed: for(key) needs @Connection({ keyed: { ... } }) or a declaration with keyed');
    }
    return new KeyedLifecycles(owner, () => binding.name, policy);
  }

  get size(): number {
    return this.#entries.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The handle of `key`, creating its entry (idle: nothing connects yet) when it is not live. */
  handle(key: unknown): KeyEntry<TRaw> {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new ConnectionKeyError(
        this.name(),
        `a key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters (got ${typeof key === 'string' ? `a string of ${key.length}` : typeof key})`,
      );
    }
    return this.#entries.get(key) ?? this.#place(key);
  }

  /** The live entry of `key` (for a handle whose entry was retired). */
  live(key: string): KeyEntry<TRaw> {
    return this.#entries.get(key) ?? this.#place(key);
  }

  /** Marks `entry` as the most recently used. */
  touch(entry: KeyEntry<TRaw>): void {
    entry.lastUsedAt = coarseNow();
    if (this.#newest === entry || entry.retired) return;
    this.#unlink(entry);
    this.#append(entry);
  }

  #append(entry: KeyEntry<TRaw>): void {
    entry.older = this.#newest;
    entry.newer = null;
    if (this.#newest) this.#newest.newer = entry;
    else this.#oldest = entry;
    this.#newest = entry;
  }

  #unlink(entry: KeyEntry<TRaw>): void {
    if (entry.older) entry.older.newer = entry.newer;
    else if (this.#oldest === entry) this.#oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else if (this.#newest === entry) this.#newest = entry.older;
    entry.older = entry.newer = null;
  }

  entries(): IterableIterator<KeyEntry<TRaw>> {
    return this.#entries.values();
  }

  /** A page of keys, most recently used first. */
  page(limit: number, after: string | undefined): ConnectionKeysPage {
    const sorted: KeyEntry<TRaw>[] = [];
    for (let entry = this.#newest; entry; entry = entry.older) sorted.push(entry);
    let start = 0;
    if (after !== undefined) {
      const at = sorted.findIndex((entry) => entry.key === after);
      start = at === -1 ? sorted.length : at + 1;
    }
    const items: ConnectionKeyInfo[] = sorted.slice(start, start + limit).map((entry) => ({
      key: entry.key,
      state: entry.lifecycle.state,
      generation: entry.lifecycle.stats.generation,
      lastUsedAt: new Date(entry.lastUsedAt).toISOString(),
    }));
    const next = start + limit < sorted.length ? items[items.length - 1].key : null;
    return { items, next };
  }

  /** Resets every live key (a reset of the whole connection). */
  async resetAll(opts: Omit<ResetOptions, 'key'>): Promise<ResetResult[]> {
    return Promise.all([...this.#entries.values()].map((entry) => entry.reset(opts)));
  }

  /** D1 for every key; later handles reject with `ConnectionClosedError`. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#releaseClock?.();
    this.#releaseClock = null;
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = null;
    await Promise.all([...this.#entries.values()].map((entry) => entry.lifecycle.close()));
    while (this.#retiring?.size) await Promise.all(this.#retiring);
  }

  abandon(): void {
    for (const entry of this.#entries.values()) entry.lifecycle.abandon();
  }

  #place(key: string): KeyEntry<TRaw> {
    const { maxEntries, idleTtlMs } = this.policy();
    const host = new ConnectionHost<TRaw>(this.owner, key);
    const lifecycle = (host.lifecycle = new ConnectionLifecycle(host));
    const entry = new KeyEntry(this, this.owner, key, lifecycle);
    if (this.#closed) {
      void lifecycle.close(); // a handle asked for after shutdown rejects like the connection
      return entry;
    }
    this.#entries.set(key, entry);
    this.#append(entry);
    while (this.#entries.size > maxEntries && this.#oldest && this.#oldest !== entry) this.#retire(this.#oldest, 'maxEntries');
    // A new key connects only once the keys retired to make room for it (and before it) are
    // disposed: `maxEntries` bounds live instances, not only map entries.
    if (this.#retiring?.size) host.gate = Promise.all(this.#retiring).then(() => undefined);
    if (idleTtlMs !== null && !this.#sweeper) {
      this.#sweeper = setInterval(() => this.#sweepIdle(), Math.max(Math.min(idleTtlMs / 2, 1_000), 10));
      this.#sweeper.unref();
    }
    return entry;
  }

  #sweepIdle(): void {
    const { idleTtlMs } = this.policy();
    if (idleTtlMs === null) return;
    // Uses are stamped with the coarse clock: only a key idle for idleTtl by any reading goes.
    const cutoff = coarseNow() - idleTtlMs - COARSE_CLOCK_RESOLUTION_MS;
    for (const entry of this.#entries.values()) {
      if (entry.lastUsedAt < cutoff && (entry.lifecycle.current?.leases ?? 0) === 0) this.#retire(entry, 'idleTtl');
    }
  }

  /** Out of the map now (a new `for(key)` gets a fresh entry); drained and disposed once, in the background. */
  #retire(entry: KeyEntry<TRaw>, why: 'maxEntries' | 'idleTtl'): void {
    this.#entries.delete(entry.key);
    this.#unlink(entry);
    entry.retired = true;
    const totals = this.retiredTotals;
    const { stats } = entry.lifecycle;
    totals.generation += stats.generation;
    totals.connects += stats.connects;
    totals.failures += stats.failures;
    totals.resets += entry.lifecycle.resets;
    this.owner[kEvicted](entry.key, stats.generation, why);
    const retiring = (this.#retiring ??= new Set());
    const done = entry.lifecycle.retire();
    retiring.add(done);
    void done.finally(() => retiring.delete(done));
  }
}

/** One live key: its lifecycle, and the public handle over it. */
export class KeyEntry<TRaw> implements ConnectionHandle<TRaw> {
  /** Neighbours in the least-to-most-recently-used list (see `KeyedLifecycles`). */
  older: KeyEntry<TRaw> | null = null;
  newer: KeyEntry<TRaw> | null = null;
  lastUsedAt = coarseNow();
  retired = false;

  constructor(
    private readonly keys: KeyedLifecycles<TRaw>,
    private readonly owner: KeyedOwner<TRaw>,
    readonly key: string,
    readonly lifecycle: ConnectionLifecycle<TRaw>,
  ) {}

  get state(): ConnectionState {
    return this.#live().lifecycle.state;
  }

  get generation(): number {
    return this.#live().lifecycle.stats.generation;
  }

  resolve(): Promise<TRaw> {
    return this.#touch().lifecycle.resolve();
  }

  use<R>(fn: (raw: TRaw) => R | Promise<R>, opts?: UseOptions): Promise<R> {
    return this.#touch().lifecycle.use(fn, this.owner[kTries](opts));
  }

  async reset(opts: Omit<ResetOptions, 'key'> = {}): Promise<ResetResult> {
    return this.#live().lifecycle.reset(opts.strategy ?? 'drop');
  }

  info(): ConnectionInfo {
    const entry = this.#live();
    return this.owner[kKeyInfo](entry.key, entry.lifecycle);
  }

  /** This entry, or the live one of the same key once this one was retired. */
  #live(): KeyEntry<TRaw> {
    return this.retired ? this.keys.live(this.key) : this;
  }

  #touch(): KeyEntry<TRaw> {
    const entry = this.retired ? this.keys.live(this.key) : this;
    this.keys.touch(entry);
    return entry;
  }
}
