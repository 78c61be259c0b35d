/**
 * Which ioredis errors mean "this client is broken" (so a reset and a retry may help). Replies
 * of a working server (`ReplyError`: WRONGTYPE, unknown command, NOAUTH...) are not.
 */
import { NETWORK_ERROR_CODES, someCause } from '../../utils/network-errors.util.js';

/**
 * ioredis' own messages once the socket is gone: RedisConnection turns ioredis' reconnection
 * off (reconnecting is the connection's reset), so a lost socket ends the client and every
 * later command fails with "Connection is closed.".
 */
const CLOSED_MESSAGES = [
  'Connection is closed.',
  "Stream isn't writeable and enableOfflineQueue options is false",
];

export function isRedisConnectionError(err: unknown): boolean {
  return someCause(err, ({ code, message, name }) => {
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
    // Raised when ioredis gave up on a command after its own reconnection attempts (if re-enabled).
    if (name === 'MaxRetriesPerRequestError') return true;
    return typeof message === 'string' && CLOSED_MESSAGES.some((known) => message.startsWith(known));
  });
}
