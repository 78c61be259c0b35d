import { ConnectionsError } from './connection.errors.js';

/**
 * An optional peer dependency (a database driver) is not installed. Says which package to
 * install and which connection needs it.
 */
export class MissingPeerError extends ConnectionsError {
  constructor(
    connectionName: string,
    /** The npm package to install. */
    readonly packageName: string,
    /** What needs it, e.g. `dialect "postgresql"`. */
    readonly neededFor: string,
    cause: unknown,
  ) {
    super(
      connectionName,
      `Connection "${connectionName}" needs the package "${packageName}" (${neededFor}), which is not installed: run npm install ${packageName}`,
      { cause },
    );
  }
}
