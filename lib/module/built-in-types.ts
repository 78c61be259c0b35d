import type { ConnectionClass } from '../core/connections-module-options.interface.js';
import { RedisConnection } from '../builtins/redis/redis.connection.js';
import { SqlConnection } from '../builtins/sql/sql.connection.js';
import { TypeOrmConnection } from '../builtins/typeorm/typeorm.connection.js';
import { DrizzleConnection } from '../builtins/drizzle/drizzle.connection.js';

/**
 * Type names usable in declarations and secrets sections without registering them in
 * `types`. Imported statically, so the package root always knows them; their drivers are
 * still loaded only on the first connect (see `lib/sql`, `lib/redis`).
 */
export const BUILT_IN_TYPES: Record<string, ConnectionClass> = {
  sql: SqlConnection,
  redis: RedisConnection,
  typeorm: TypeOrmConnection,
  drizzle: DrizzleConnection,
};
