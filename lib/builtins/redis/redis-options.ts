import { isPlainObject } from '../../utils/object.util.js';
import { OptionKeyError } from '../../errors/option-key.error.js';
import { coerceOptionStrings, type CoercedKeys } from '../../utils/coerce.util.js';
import type { RedisConnectionOptions } from './redis-connection-options.interface.js';

/** Keys whose environment strings mean numbers or booleans (CONNECTIONS__CACHE__DB=2, ...__TLS=true). */
export const REDIS_TYPED_KEYS: CoercedKeys = {
  numbers: ['port', 'db', 'commandTimeout', 'socketTimeout', 'keepAlive', 'maxRetriesPerRequest', 'family', 'maxLoadingRetryTime'],
  booleans: ['tls', 'enableReadyCheck', 'enableOfflineQueue', 'enableAutoPipelining', 'readOnly', 'autoResubscribe', 'autoResendUnfulfilledCommands', 'noDelay'],
};

const PART_KEYS: ReadonlySet<string> = new Set(['url', 'host', 'port', 'username', 'password', 'db', 'tls']);

/**
 * The arguments of `new Redis(...)`: `[url, options]` or `[options]`. Checks every key; never
 * echoes a value. RedisConnection's defaults come first, so code can override them.
 */
export function ioredisArgsOf(given: RedisConnectionOptions): [string, Record<string, unknown>] | [Record<string, unknown>] {
  if (!isPlainObject(given)) throw new OptionKeyError('options', 'must be a table of options');
  const options = coerceOptionStrings(given, REDIS_TYPED_KEYS);
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (!PART_KEYS.has(key) && value !== undefined) rest[key] = value;
  const base = {
    // We connect in _connect and verify before the client counts as connected.
    lazyConnect: true,
    // Reconnecting is the connection's job (reset, then a fresh client): a lost socket ends
    // this client, so the failure reaches use()/events instead of being hidden in a queue.
    retryStrategy: () => null,
    ...rest,
  };
  const { url } = options;
  if (url !== undefined && url !== '') {
    if (typeof url !== 'string') throw new OptionKeyError('url', 'must be a string such as redis://user:password@host:6379/0');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OptionKeyError('url', 'is not a valid URL; expected redis://user:password@host:6379/0 (percent-encode special characters)');
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new OptionKeyError('url', 'must start with redis:// or rediss://');
    }
    return [url, base];
  }
  const parts: Record<string, unknown> = {};
  if (options.host !== undefined) {
    if (typeof options.host !== 'string' || options.host === '') throw new OptionKeyError('host', 'must be a host name');
    parts.host = options.host;
  }
  if (options.port !== undefined) parts.port = integer('port', options.port, 1, 65_535);
  if (options.username !== undefined) parts.username = String(options.username);
  if (options.password !== undefined && options.password !== null) parts.password = String(options.password);
  if (options.db !== undefined) parts.db = integer('db', options.db, 0, 1_000_000);
  // Environment variables arrive as strings: CONNECTIONS__CACHE__TLS=true.
  const tls: unknown = options.tls;
  if (tls !== undefined && tls !== false && tls !== 'false') {
    if (tls === true || tls === 'true') parts.tls = {};
    else if (isPlainObject(tls)) parts.tls = tls;
    else throw new OptionKeyError('tls', 'must be true, false or a table of TLS options');
  }
  return [{ ...base, ...parts }];
}

function integer(key: string, value: unknown, min: number, max: number): number {
  // Environment variables arrive as strings: CONNECTIONS__CACHE__DB=2.
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new OptionKeyError(key, `must be a whole number from ${min} to ${max}`);
  }
  return n;
}
