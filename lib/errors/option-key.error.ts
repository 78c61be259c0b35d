/**
 * A bad option found by a connection's `_validateOptions` (which runs before the connection knows
 * its name). The registry turns it into a `ConnectionConfigError` naming the connection, with
 * this `key` and `problem`. The message never echoes a value: it could be a password.
 */
export class OptionKeyError extends Error {
  constructor(
    readonly key: string,
    readonly problem: string,
  ) {
    super(`key "${key}" ${problem}`);
    this.name = 'OptionKeyError';
  }
}
