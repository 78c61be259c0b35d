import type { OptionValue } from '../../interfaces/option-value.interface.js';

/**
 * Options of a `RedisConnection` (type `'redis'`).
 *
 * Give either a `url` (`redis://[username:password@]host:port/db`, `rediss://` for TLS), or
 * its parts; when `url` is set it wins and the parts are ignored. Every other key is passed to
 * ioredis as is (`connectionName`, `keyPrefix`, `connectTimeout`, `commandTimeout`, ...).
 */
export interface RedisConnectionOptions {
  url?: string;
  host?: string;
  port?: number | string;
  username?: string;
  /** A string, or (in code) a function returning one: called on each connect (see docs/rotation.md). */
  password?: OptionValue<string>;
  /** Database index. */
  db?: number | string;
  /** `true` for TLS with the system's CAs, or ioredis/Node TLS options. */
  tls?: boolean | Record<string, unknown>;
  /** Any other ioredis option. */
  [ioredisOption: string]: unknown;
}
