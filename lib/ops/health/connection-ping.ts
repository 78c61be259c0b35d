import { BaseConnection } from '../../core/base-connection.js';
import { kBinding } from '../../core/connection.symbols.js';
import { maskError } from '../../utils/mask.util.js';
import { withTimeout } from '../../utils/timeout.util.js';
import type { ConnectionPingResult } from './connections-health.interfaces.js';

/** Default ping timeout: the one Terminus' own indicators use. */
export const DEFAULT_PING_TIMEOUT_MS = 1_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyConnection = BaseConnection<any, any>;

/**
 * Pings a connection through its public `ping()` (which connects first when idle, then runs
 * `_ping` under a lease) and never throws: a failure or a timeout becomes `down` with a
 * message masked with the connection's own secrets. Unlike connect errors, `_ping` errors
 * reach us unmasked from the driver, so this is where M1 is enforced for health output.
 */
export async function pingConnection(connection: AnyConnection, timeoutMs = DEFAULT_PING_TIMEOUT_MS): Promise<ConnectionPingResult> {
  // An overrideProvider() value that is not a BaseConnection (a test double) has nothing to ping.
  if (!(connection instanceof BaseConnection)) return { status: 'up' };
  try {
    await withTimeout(connection.ping(), timeoutMs, `ping timed out after ${timeoutMs} ms`);
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: maskError(err, connection[kBinding]?.secretValues ?? []) };
  }
}
