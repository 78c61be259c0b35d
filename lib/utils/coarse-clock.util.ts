/**
 * `Date.now()` to within ~100 ms, read for the price of a variable: keyed connections stamp
 * every use with it (idle expiry and the admin's "last used" need no better), and the hot path
 * of `for(key).resolve()` should not pay for a clock read. A timer refreshes it while anyone
 * holds it (`hold()` / the returned release), unref'd so it never keeps the process alive.
 */
/** How far behind `Date.now()` the clock may be. */
export const COARSE_CLOCK_RESOLUTION_MS = 100;

let now = Date.now();
let holders = 0;
let timer: NodeJS.Timeout | null = null;

export function coarseNow(): number {
  return now;
}

/** Keeps the clock ticking until the returned function is called. */
export function holdCoarseClock(): () => void {
  holders++;
  now = Date.now();
  if (!timer) {
    timer = setInterval(() => (now = Date.now()), COARSE_CLOCK_RESOLUTION_MS);
    timer.unref();
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}
