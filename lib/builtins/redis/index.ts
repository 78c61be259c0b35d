// `nestjs-connections/redis`: the 'redis' type on ioredis (an optional peer, loaded on first connect).
export { RedisConnection } from './redis.connection.js';
export type { RedisConnectionOptions } from './redis-connection-options.interface.js';
