/** Median and range of several runs: every figure of the bench is reported this way. */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1), runs: values.length };
}

/** Milliseconds taken by `fn` (awaited). */
export async function timeMs(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each suite prints one such line; bench/run.mjs reads it back. */
export function report(figures) {
  console.log(`BENCH-RESULT ${JSON.stringify(figures)}`);
}
