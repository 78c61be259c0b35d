import { Injectable, Logger } from '@nestjs/common';
import { ConnectionRegistry } from '../../../lib/index.js';
import { RedisConnection } from '../../../lib/builtins/redis/index.js';

/** The optional Redis connection: `[connections.cache] type = "redis"` in secrets.toml. */
export const CACHE_CONNECTION = 'cache';

/**
 * Counts reads of each note: in Redis when a `cache` connection is configured, in memory
 * otherwise. Best effort: when Redis is down, reads still answer (with `views: null`).
 */
@Injectable()
export class NoteViewsService {
  readonly #memory = new Map<number, number>();
  readonly #logger = new Logger(NoteViewsService.name);

  constructor(private readonly registry: ConnectionRegistry) {}

  async increment(id: number): Promise<number | null> {
    const cache = this.#redis();
    if (!cache) {
      const views = (this.#memory.get(id) ?? 0) + 1;
      this.#memory.set(id, views);
      return views;
    }
    try {
      // INCR is not idempotent: no { retry } here, a failure is reported, not repeated.
      return await cache.use((redis) => redis.incr(`notes:${id}:views`));
    } catch (err) {
      // Connection errors are masked by the library; say which connection, not its URL.
      this.#logger.warn(`views of note ${id} not counted: ${(err as Error).message}`);
      return null;
    }
  }

  #redis(): RedisConnection | null {
    if (!this.registry.has(CACHE_CONNECTION)) return null;
    const connection = this.registry.get(CACHE_CONNECTION);
    return connection instanceof RedisConnection ? connection : null;
  }
}
