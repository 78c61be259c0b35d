import type { BaseConnection } from 'nestjs-connections';

export interface LoadResult {
  /** Messages of the calls that failed (expected: none). */
  failures: string[];
  /** Resets performed during the run. */
  resets: number;
  /** Ids whose write resolved, sorted. */
  written: number[];
  reads: number;
}

/**
 * Readers and id-keyed writers run back to back on `workers` concurrent loops while the
 * connection is reset every `everyMs` (drop and swap in turn, or swap only), for `durationMs`.
 * Every write uses a fresh id, so "landed exactly once" is a set comparison afterwards.
 */
export async function resetsUnderLoad(opts: {
  conn: Pick<BaseConnection, 'reset'>;
  read: () => Promise<unknown>;
  write: (id: number) => Promise<unknown>;
  strategies?: Array<'drop' | 'swap'>;
  durationMs?: number;
  everyMs?: number;
  workers?: number;
}): Promise<LoadResult> {
  const { conn, read, write, strategies = ['drop', 'swap'], durationMs = 2_000, everyMs = 100, workers = 8 } = opts;
  const failures: string[] = [];
  const written: number[] = [];
  let nextId = 1;
  let reads = 0;
  let resets = 0;
  let running = true;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    for (let i = 0; running; i++) {
      // SQLite answers without I/O: yield to timers, as separate requests would.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        if ((i + worker) % 3 === 0) {
          const id = nextId++;
          await write(id);
          written.push(id);
        } else {
          await read();
          reads++;
        }
      } catch (err) {
        failures.push(String((err as Error)?.message ?? err));
      }
    }
  });
  const resetter = (async () => {
    const end = Date.now() + durationMs;
    while (Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      try {
        await conn.reset({ strategy: strategies[resets % strategies.length] });
        resets++;
      } catch (err) {
        failures.push(`reset: ${String((err as Error)?.message ?? err)}`);
      }
    }
    running = false;
  })();
  await resetter;
  await Promise.all(loops);
  return { failures, resets, written: written.sort((a, b) => a - b), reads };
}
