/** What a function-valued option receives when it is called (once per connect, or per physical connection for a `provider` key). */
export interface OptionFunctionContext {
  /** The connection's name. */
  name: string;
  /** For a keyed connection: the key being connected. */
  key?: string;
  /** Which try of this connect this is (1-based), when `retry` is set. */
  attempt: number;
  /** Aborted when the connect timed out or the app is shutting down. */
  signal: AbortSignal;
}

/**
 * An option value set in code: the value itself, or a function (sync or async) that returns
 * it. A function is called on each connect and `_connect` receives its result; what it
 * returns is masked like any secret (M1). Secrets files and environment variables give plain
 * values only.
 */
export type OptionValue<T> = T | ((context: OptionFunctionContext) => T | Promise<T>);

/**
 * How a connection class takes the function values of some of its top-level option keys
 * (`static functionOptions` of a `BaseConnection` subclass); every other function value is
 * called before each connect.
 * - `provider`: `_connect` receives a function returning the value, to hand to a driver that
 *   calls it itself (pg calls `password` for every physical connection it opens). Calling it
 *   calls the user's function with the connect's context; its results are masked like any
 *   secret, and a throw becomes an error naming the key.
 * - `callback`: `_connect` receives the function untouched (a driver hook, such as knex's
 *   `postProcessResponse` or ioredis' `reconnectOnError`).
 */
export type FunctionOptionKind = 'provider' | 'callback';
