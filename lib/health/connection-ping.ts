import type { BaseConnection } from '../base-connection.js';
import { kBinding } from '../connection-binding.js';
import type { ConnectionRegistry } from '../connection-registry.js';
import { maskError } from '../utils/mask.util.js';
import type { ConnectionPingResult, ConnectionsHealthReport } from './connections-health.interfaces.js';

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
  let timer: NodeJS.Timeout | undefined;
  const ping = connection.ping();
  // After a timeout nobody awaits the ping any more: its late failure must not go unhandled.
  ping.catch(() => undefined);
  try {
    await Promise.race([
      ping,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`ping timed out after ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
      }),
    ]);
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: maskError(err, connection[kBinding]?.secretValues ?? []) };
  } finally {
    clearTimeout(timer);
  }
}

/** Pings every connection of the registry at once. */
export async function pingAll(registry: ConnectionRegistry, timeoutMs?: number): Promise<ConnectionsHealthReport> {
  const names = registry.names();
  const results = await Promise.all(names.map((name) => pingConnection(registry.get(name), timeoutMs)));
  const connections: Record<string, ConnectionPingResult> = {};
  names.forEach((name, index) => (connections[name] = results[index]));
  return { status: results.some((result) => result.status === 'down') ? 'down' : 'up', connections };
}
