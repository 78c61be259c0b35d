/**
 * How to reset.
 * - `drop` (default): take the instance out of service now; the next `resolve()` connects anew.
 * - `swap`: connect the replacement first and switch over only when it is up (R7).
 */
export type ResetStrategy = 'drop' | 'swap';

export interface ResetOptions {
  strategy?: ResetStrategy;
  /** For a keyed connection (registry and admin resets): only this key. */
  key?: string;
}

/** What a reset did (R8). */
export interface ResetResult {
  name: string;
  /** For a keyed connection's handle: the key that was reset. */
  key?: string;
  /** True when an instance or an in-flight connect was taken out of service. */
  reset: boolean;
  /** Generation of the instance in service before the reset (the generation count when none was). */
  previousGeneration: number;
  /** Generation in service after the reset (for `drop`, the count so far: the next connect makes `generation + 1`). */
  generation: number;
}
