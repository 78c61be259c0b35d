import { CONNECTION_NAME_PATTERN, RESERVED_CONNECTION_NAMES } from '../core/connections.constants.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';

/**
 * S4: a connection name is plain (it ends up in URLs and variable names), not an admin route,
 * and not taken. `taken` gives the type label of a registered name (for the message), if any.
 */
export function checkConnectionName(name: unknown, typeLabel: string, taken: { get(name: string): string | undefined }): void {
  if (typeof name !== 'string' || !CONNECTION_NAME_PATTERN.test(name)) {
    throw new ConnectionConfigError(
      String(name),
      'name',
      'a connection name is 1 to 100 letters, digits, "-" or "_", starting with a letter or digit',
    );
  }
  if (RESERVED_CONNECTION_NAMES.includes(name)) {
    throw new ConnectionConfigError(name, 'name', `"${name}" is taken by an admin route (${RESERVED_CONNECTION_NAMES.join(', ')})`);
  }
  const existing = taken.get(name);
  if (existing !== undefined) {
    throw new ConnectionConfigError(name, 'name', `two connections are named "${name}" (${existing} and ${typeLabel})`);
  }
}
