import { AsyncLocalStorage } from 'node:async_hooks';

/** The connection key of the current request or job: what `conn.resolve()` of a keyed connection acts on. */
const storage = new AsyncLocalStorage<string>();

/**
 * Runs `fn` with `key` as the connection key: inside it (and everything it awaits), keyed
 * connections' `resolve()` / `use()` / `reset()` act on that key. For jobs, queues and scripts;
 * `ConnectionsModule.forRoot({ keyFrom })` does the same for each request.
 */
export function runWithConnectionKey<R>(key: string, fn: () => R): R {
  return storage.run(key, fn);
}

/** The key set by `runWithConnectionKey` or `keyFrom`, if any. */
export function currentConnectionKey(): string | undefined {
  return storage.getStore();
}
