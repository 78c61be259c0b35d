import type { ConnectionPoolInfo } from '../interfaces/connection-info.interface.js';

/*
 * Pool statistics of the drivers' own pools, for `BaseConnection._pool` overrides. Each reads
 * counters the pool keeps anyway (no I/O, no allocation beyond the answer), and answers
 * `undefined` for an object that is not the pool it expects, so a driver upgrade that renames
 * a field makes `info().pool` disappear instead of `info()` throw.
 */

const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** `{ pool }` for `info()`, from a `_pool` hook that may answer nothing or throw. */
export function poolField(read: () => ConnectionPoolInfo | undefined): { pool?: ConnectionPoolInfo } {
  try {
    const pool = read();
    return pool ? { pool } : {};
  } catch {
    return {};
  }
}

/** A tarn pool (knex's: `knex.client.pool`; TypeORM and others use tarn too). */
export function tarnPoolStats(pool: unknown): ConnectionPoolInfo | undefined {
  const tarn = pool as {
    numUsed?: () => number;
    numFree?: () => number;
    numPendingAcquires?: () => number;
    max?: number;
  } | null;
  if (!tarn || typeof tarn.numUsed !== 'function' || typeof tarn.numFree !== 'function') return undefined;
  const used = count(tarn.numUsed());
  const idle = count(tarn.numFree());
  const waiting = count(tarn.numPendingAcquires?.()) ?? 0;
  if (used === undefined || idle === undefined) return undefined;
  return { used, idle, waiting, max: count(tarn.max) ?? null };
}

/** A node-postgres `Pool` (`pg.Pool`; TypeORM's and Drizzle's postgres drivers hold one). */
export function pgPoolStats(pool: unknown): ConnectionPoolInfo | undefined {
  const pg = pool as { totalCount?: number; idleCount?: number; waitingCount?: number; options?: { max?: number } } | null;
  const total = count(pg?.totalCount);
  const idle = count(pg?.idleCount);
  if (total === undefined || idle === undefined) return undefined;
  return { used: total - idle, idle, waiting: count(pg?.waitingCount) ?? 0, max: count(pg?.options?.max) ?? null };
}

/** A mysql2 pool (callback or promise flavour; TypeORM's and Drizzle's mysql drivers hold one). */
export function mysql2PoolStats(pool: unknown): ConnectionPoolInfo | undefined {
  const inner = ((pool as { pool?: unknown } | null)?.pool ?? pool) as {
    _allConnections?: { length: number };
    _freeConnections?: { length: number };
    _connectionQueue?: { length: number };
    config?: { connectionLimit?: number };
  } | null;
  const total = count(inner?._allConnections?.length);
  const idle = count(inner?._freeConnections?.length);
  if (total === undefined || idle === undefined) return undefined;
  return { used: total - idle, idle, waiting: count(inner?._connectionQueue?.length) ?? 0, max: count(inner?.config?.connectionLimit) ?? null };
}
