/**
 * `work`, or a rejection with `message` once `ms` have passed, whichever comes first; the timer
 * is cleared either way. `onTimeout` runs when the time ran out (to abort the work, or to clean
 * up its late result). Whoever gives up on `work` must still handle its late rejection: this does.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, message: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(message));
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
