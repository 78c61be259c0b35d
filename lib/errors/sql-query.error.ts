import { ConnectionsError } from './connection.errors.js';

/**
 * `SqlConnection.query()` met a connection-level failure on every attempt (each followed by
 * a reset). `cause` is the driver's error of the last attempt.
 */
export class SqlQueryError extends ConnectionsError {
  constructor(
    connectionName: string,
    /** How many times the query ran. */
    readonly attempts: number,
    maskedMessage: string,
    cause: unknown,
  ) {
    super(
      connectionName,
      `Connection "${connectionName}": query failed ${attempts} times on a broken connection (reset before each retry): ${maskedMessage}`,
      { cause },
    );
  }
}
