import { CONNECTION_NAME_PATTERN, RESERVED_CONNECTION_NAMES } from '../core/connections.constants.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';

/**
 * S4: a connection name is plain (it ends up in URLs and variable names), not an admin route,
 * and not taken. `taken` maps each registered name to its type label, for the message.
 */
export function checkConnectionName(name: unknown, typeLabel: string, taken: ReadonlyMap<string, string>): void {
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
