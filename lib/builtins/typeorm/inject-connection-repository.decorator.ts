import { Inject } from '@nestjs/common';
import { recordUse } from './repository-uses.js';

/**
 * Injects the repository of `entity` on a TypeORM connection: `@InjectRepository` of
 * `@nestjs/typeorm`, made reset-safe. Every call (`find`, `save`, ...) runs on the DataSource in
 * service at that moment, under a lease (`conn.use()`), so a reset never leaves a stale
 * repository behind; reads are retried on a fresh DataSource after a connection-level failure.
 *
 * - `connectionName`: which TypeORM connection; without it, the only one the app has (several:
 *   bootstrap fails asking for the name).
 * - The entity is added to that connection's `entities`: no `forFeature` list to keep in sync.
 * - Query builders need a DataSource that stays put: `conn.use((ds) => ds.getRepository(E).createQueryBuilder()...)`.
 */
export function InjectConnectionRepository(entity: unknown, connectionName?: string): PropertyDecorator & ParameterDecorator {
  return (target: object, key: string | symbol | undefined, index?: number) => {
    const consumer = typeof target === 'function' ? target : target.constructor;
    const token = recordUse(entity, connectionName, consumer);
    (Inject(token) as (target: object, key: string | symbol | undefined, index?: number) => void)(target, key, index);
  };
}
