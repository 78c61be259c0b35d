/**
 * Waits until `probe` returns a truthy value and returns it: for state that another process
 * (a database server) or the event loop reaches on its own. A condition, never a fixed sleep;
 * the deadline only turns a hang into a failure that says what was awaited.
 */
export async function until<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
