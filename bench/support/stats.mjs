/** Median and range of several runs: every figure of the bench is reported this way. */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1), runs: values.length };
}

/**
 * One row of the bench table: the median and range of `values` (one per run), and whether
 * the median meets the goal (`<= goal`, or `>= goal` with `atLeast`). A suite may decide
 * `met` itself and say the goal in words with `goalText`.
 */
export function figure({ id, label, values, unit = 'x', goal, atLeast = false, met, goalText, detail = '' }) {
  const summary = summarize(values);
  const verdict = met ?? (goal === undefined ? null : atLeast ? summary.median >= goal : summary.median <= goal);
  const suffix = unit === 'x' ? 'x' : ` ${unit}`;
  const text = goalText ?? (goal === undefined ? '' : `${atLeast ? '>=' : '<='} ${goal}${suffix}`);
  return { id, label, unit, ...summary, goal: text, met: verdict, detail };
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
