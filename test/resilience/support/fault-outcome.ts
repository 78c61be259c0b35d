import { expect } from 'vitest';
import type { TcpProxy } from '../../support/tcp-proxy.js';
import { failedIn, failedOutside, recoveryMs, type FaultWindow, type LoadDriver } from './load.js';
import type { Generations } from './schedule.js';

/** What one fault-suite run measured, whatever the server. */
export interface FaultRun {
  label: string;
  driver: LoadDriver;
  /** [refused, half-open], from `runSchedule`. */
  windows: FaultWindow[];
  generations: Generations;
  generation: number;
  /** Server-side connections of the app: at warm-up, in steady state after the faults, the peak, after close. */
  server: { unit: string; warm: number; steady: number; peak: number; leaked: number };
  heapMb: { warm: number; end: number };
  rejections: { count: number; reasons: string[] };
  /** The server-specific part of the summary line (how many writes landed, by the server's count). */
  landed: string;
}

/**
 * Prints the suite's one summary line (the counts CI shows) and checks what every fault suite
 * promises: every write landed, reads failed only while the proxy refused or black-holed, the
 * app recovered within a second of each restore, nothing leaked, nothing went unhandled.
 */
export function expectFaultOutcome(run: FaultRun, proxy: TcpProxy): void {
  const { driver, generations, server } = run;
  const [refused, halfOpen] = run.windows;
  const outside = failedOutside(driver.reads, run.windows);
  const recovery = [recoveryMs(driver.reads, refused), recoveryMs(driver.reads, halfOpen)];
  const ok = driver.reads.length - driver.failedReads.length;
  console.log(
    `[fault-suite ${run.label}] writes attempted=${driver.attempted.length} ${run.landed} ` +
      `write-retries=${driver.writeFailures} | reads ok=${ok} failed=${driver.failedReads.length} ` +
      `(refuse=${failedIn(driver.reads, refused)} half-open=${failedIn(driver.reads, halfOpen)} outside=${outside.length}) | ` +
      `recovery ms refuse=${recovery[0]} half-open=${recovery[1]} | ${server.unit} warm=${server.warm} steady=${server.steady} ` +
      `peak=${server.peak} leaked=${server.leaked} | generations=${run.generation} | heap MB warm=${run.heapMb.warm.toFixed(1)} ` +
      `end=${run.heapMb.end.toFixed(1)} | unhandled=${run.rejections.count}`,
  );
  if (driver.errors.size) console.log(`[fault-suite ${run.label}] errors seen: ${JSON.stringify([...driver.errors])}`);

  // Every write was acknowledged (the server-side count is checked by the caller).
  expect(driver.abandoned).toEqual([]);
  expect(driver.landed.size).toBe(driver.attempted.length);
  // The faults happened and were felt: writes had to be retried, reads failed while refused.
  expect(driver.writeFailures).toBeGreaterThan(0);
  expect(failedIn(driver.reads, refused)).toBeGreaterThan(0);
  // The cut hit work in flight: it failed on a dead socket and was retried on a new instance.
  expect(generations.afterCut).toBeGreaterThan(generations.beforeCut);
  // Half-open: the instance on dead sockets was replaced (client-side timeouts are
  // connection-level); nothing connected while black-holed, and a new instance serves after.
  expect(generations.atRestore).toBe(generations.beforeHalfOpen);
  expect(run.generation).toBeGreaterThan(generations.beforeHalfOpen);
  // Reads fail only while the proxy refuses or black-holes (cut and latency: never).
  expect(outside).toEqual([]);
  // The app recovers within one second of the server coming back.
  for (const ms of recovery) {
    expect(ms).not.toBeNull();
    expect(ms!).toBeLessThan(1_000);
  }
  // No leak, no unhandled rejection, memory flat.
  expect(server.leaked).toBe(0);
  expect(proxy.open).toBe(0);
  expect(run.rejections.reasons).toEqual([]);
  expect(run.heapMb.end - run.heapMb.warm).toBeLessThan(50);
}
