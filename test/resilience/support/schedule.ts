import type { TcpProxy } from '../../support/tcp-proxy.js';
import type { Phase } from './load.js';

/** The generation of the connection at the edges of the faults that must replace its instance. */
export interface Generations {
  beforeCut: number;
  afterCut: number;
  beforeHalfOpen: number;
  atRestore: number;
}

/**
 * The fault schedule both suites run (about 8.5 s), through `proxy`:
 *
 * 1. steady;
 * 2. 30 ms latency, so commands are always in flight, then `cutAll()`: in-flight work fails on a
 *    dead socket, and must be reset and retried without a single failed read;
 * 3. refuse new connections for 2 s (a server that is down): reads fail, writes wait;
 * 4. restore: recovery measured; steady;
 * 5. 50 ms latency for 1 s: slower, never failing;
 * 6. half-open for 1 s: open sockets go silent and new ones are never answered; only the
 *    client-side timeouts notice;
 * 7. restore: recovery measured; steady.
 *
 * `refuseSlackMs`: a refused connect fails at once, so one begun before the restore ends
 * within a round trip (scheduler jitter on a loaded CI machine included).
 * `halfOpenSlackMs`: a connect begun on a black-holed socket ends only by its timeout.
 */
export function faultSchedule(
  proxy: TcpProxy,
  generation: () => number,
  { refuseSlackMs, halfOpenSlackMs }: { refuseSlackMs: number; halfOpenSlackMs: number },
): { phases: Phase[]; generations: Generations } {
  const generations: Generations = { beforeCut: 0, afterCut: 0, beforeHalfOpen: 0, atRestore: 0 };
  const phases: Phase[] = [
    { name: 'steady', ms: 500, apply: () => undefined },
    { name: 'latency-30ms', ms: 300, apply: () => proxy.latency(30) },
    {
      name: 'cut-all',
      ms: 700,
      apply: () => {
        generations.beforeCut = generation();
        proxy.cutAll();
      },
    },
    {
      name: 'refuse',
      ms: 2_000,
      apply: () => {
        generations.afterCut = generation();
        proxy.refuse();
      },
      faultSlackMs: refuseSlackMs,
    },
    { name: 'restore-1', ms: 1_000, apply: () => proxy.restore() },
    { name: 'latency-50ms', ms: 1_000, apply: () => proxy.latency(50) },
    { name: 'latency-off', ms: 500, apply: () => proxy.latency(0) },
    {
      name: 'half-open',
      ms: 1_000,
      apply: () => {
        generations.beforeHalfOpen = generation();
        proxy.blackhole();
      },
      faultSlackMs: halfOpenSlackMs,
    },
    {
      name: 'restore-2',
      ms: 1_500,
      apply: () => {
        proxy.restore();
        generations.atRestore = generation();
      },
    },
  ];
  return { phases, generations };
}
