/**
 * A bad option found by a connection's `_validateOptions` (which runs before the connection knows
 * its name). The registry turns it into a `ConnectionConfigError` naming the connection, with
 * this `key` and `problem`. Thrown while connecting (a function option that threw, or returned a
 * value of the wrong kind), it becomes a `ConnectError` with this `key`. The message never echoes
 * a value: it could be a password.
 */
export class OptionKeyError extends Error {
  constructor(
    readonly key: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`key "${key}" ${problem}`, options);
    this.name = 'OptionKeyError';
  }
}
