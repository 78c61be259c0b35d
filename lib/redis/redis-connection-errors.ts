/**
 * Which ioredis errors mean "this client is broken" (so a reset and a retry may help). Replies
 * of a working server (`ReplyError`: WRONGTYPE, unknown command, NOAUTH...) are not.
 */

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

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
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    // Raised when ioredis gave up on a command after its own reconnection attempts (if re-enabled).
    if (name === 'MaxRetriesPerRequestError') return true;
    if (typeof message === 'string' && CLOSED_MESSAGES.some((known) => message.startsWith(known))) return true;
  }
  return false;
}
