/** Socket-level failure codes, whatever the driver: the connection is gone, not the query wrong. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

/**
 * Walks an error and its `cause` chain (a few levels: drivers and knex wrap errors) and says
 * whether `test` holds for one of them.
 */
export function someCause(err: unknown, test: (e: Record<string, unknown>) => boolean): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (test(e as Record<string, unknown>)) return true;
  }
  return false;
}
