type Row = Record<string, unknown>;

/** Default bound of one instance's `query()` ttl cache, in entries (option `queryCacheMax`). */
export const DEFAULT_QUERY_CACHE_MAX = 1_000;

interface Entry {
  rows: Promise<Row[]>;
  /** `Infinity` while the query runs: callers that come meanwhile share it. */
  expiresAt: number;
}

/**
 * The `ttl` cache of `SqlConnection.query()`. One cache belongs to one connected instance
 * (the connection keys them by its knex instance), so results are never shared between
 * connections and a reset, which replaces the instance, drops them.
 *
 * Concurrent calls with the same key share one round trip. A failed query is not cached.
 * Callers get their own copies of the array and row objects, so one caller changing a row
 * cannot change what the next one reads.
 *
 * Bounded: past `maxEntries` the least recently used entry is dropped (a Map keeps insertion
 * order, so a hit moves its key to the end and the first key is the least recently used).
 * Without a bound, 200k distinct reads grew the heap by 100 MB.
 */
export class SqlQueryCache {
  readonly #entries = new Map<string, Entry>();
  /** Size after the last sweep: sweep expired entries whenever the map doubles. */
  #swept = 64;

  constructor(readonly maxEntries = DEFAULT_QUERY_CACHE_MAX) {}

  async get(key: string, ttlMs: number, load: () => Promise<Row[]>): Promise<Row[]> {
    const now = Date.now();
    let entry = this.#entries.get(key);
    if (entry && entry.expiresAt > now) {
      // A hit: now the most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    } else {
      entry = { rows: load(), expiresAt: Infinity };
      this.#set(key, entry);
      const current = entry;
      current.rows.then(
        () => (current.expiresAt = Date.now() + ttlMs),
        () => {
          if (this.#entries.get(key) === current) this.#entries.delete(key);
        },
      );
    }
    return copyRows(await entry.rows);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The keys, least recently used first. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  #set(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
    if (this.#entries.size < this.#swept * 2) return;
    const now = Date.now();
    for (const [k, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(k);
    this.#swept = Math.max(64, this.#entries.size);
  }
}

function copyRows(rows: Row[]): Row[] {
  return rows.map((row) => ({ ...row }));
}

/**
 * The cache key of a query: its SQL and its params, serialized so that values of different
 * types never collide (`'1'` and `1`, a date and its ISO string) and named params in any
 * order give the same key.
 */
export function queryCacheKey(sql: string, params: unknown): string {
  return `${sql}\u0000${params === undefined ? '' : JSON.stringify(params, tagged)}`;
}

function tagged(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Date) return { $date: raw.toISOString() };
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) {
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(value).toSorted()) sorted[k] = (value as Record<string, unknown>)[k];
    return sorted;
  }
  return value;
}
