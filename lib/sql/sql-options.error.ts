/**
 * A problem with a SqlConnection's options, found when they are bound at bootstrap (S4). The
 * registry wraps it in a `ConnectionConfigError` naming the connection; the message names the
 * key and never echoes a value (it could be a password).
 */
export class SqlOptionsError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`key "${key}" ${problem}`);
    this.name = 'SqlOptionsError';
  }
}
