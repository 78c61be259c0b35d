import type { DataSource, ObjectLiteral, Repository } from 'typeorm';
import type { UseOptions } from '../../interfaces/use-options.interface.js';
import { entityLabel } from './repository-uses.js';

/** What a leased repository needs of its connection. */
export interface RepositorySource {
  readonly name: string;
  isConnectionError(err: unknown): boolean;
  use<R>(fn: (ds: DataSource) => R | Promise<R>, opts?: UseOptions): Promise<R>;
  /** The latest DataSource that was initialized (maybe retired): entity metadata only, no I/O. */
  readonly metadataSource: DataSource | null;
}

/** Reads: safe to run again on a fresh DataSource after a connection-level failure. */
const READS = [
  'find', 'findBy', 'findAndCount', 'findAndCountBy', 'findOne', 'findOneBy', 'findOneOrFail', 'findOneByOrFail',
  'count', 'countBy', 'exists', 'existsBy', 'sum', 'average', 'minimum', 'maximum', 'preload',
] as const;
/** Writes (and raw SQL): run once, never retried. */
const WRITES = [
  'save', 'remove', 'softRemove', 'recover', 'insert', 'update', 'updateAll', 'upsert', 'delete', 'deleteAll',
  'softDelete', 'restore', 'clear', 'increment', 'decrement', 'query', 'sql',
] as const;
/** No I/O, answered from the entity metadata (the same on every DataSource of the connection). */
const METADATA_ONLY = ['create', 'merge', 'hasId', 'getId'] as const;
/** Return objects tied to one DataSource: they would outlive the lease. */
const BOUND = ['createQueryBuilder', 'extend'] as const;

const READ_RETRY: UseOptions = { retry: 3 };

/**
 * The object `@InjectConnectionRepository(Entity)` injects: TypeORM's `Repository` API, each
 * call run on the DataSource in service under a lease. Nothing in it refers to one DataSource,
 * so it stays valid across resets.
 */
export type ConnectionRepository<T extends ObjectLiteral> = Omit<Repository<T>, (typeof BOUND)[number] | 'manager' | 'queryRunner'>;

class LeasedRepository {
  constructor(
    readonly source: () => RepositorySource,
    readonly target: unknown,
  ) {}

  /** The entity's metadata, from the latest initialized DataSource (connects nothing). */
  get metadata(): unknown {
    return metadataRepository(this).metadata;
  }

  get manager(): never {
    throw new TypeError(
      `The repository of ${entityLabel(this.target)} injected by @InjectConnectionRepository has no fixed manager: use conn.transaction((manager) => ...) or conn.use((ds) => ds.manager...)`,
    );
  }

  toString(): string {
    return `ConnectionRepository(${entityLabel(this.target)})`;
  }
}

type Target = Parameters<DataSource['getRepository']>[0];
type AnyMethod = (...args: unknown[]) => unknown;

function method(repo: Repository<ObjectLiteral>, name: string): AnyMethod {
  return (repo as unknown as Record<string, AnyMethod>)[name]!;
}

function define(name: string, value: AnyMethod): void {
  Object.defineProperty(LeasedRepository.prototype, name, { value, writable: true, configurable: true });
}

for (const name of READS) {
  define(name, function (this: LeasedRepository, ...args: unknown[]) {
    const source = this.source();
    const run = (ds: DataSource) => {
      const repo = ds.getRepository(this.target as Target);
      return method(repo, name).apply(repo, args);
    };
    // First on use()'s synchronous fast path; only a connection-level failure takes the retrying
    // path, which resets the instance that failed and runs the read again on a fresh one.
    return source.use(run).catch((err: unknown) => {
      if (!source.isConnectionError(err)) throw err;
      return source.use(run, READ_RETRY);
    });
  });
}
for (const name of WRITES) {
  define(name, function (this: LeasedRepository, ...args: unknown[]) {
    return this.source().use((ds) => {
      const repo = ds.getRepository(this.target as Target);
      return method(repo, name).apply(repo, args);
    });
  });
}
for (const name of METADATA_ONLY) {
  define(name, function (this: LeasedRepository, ...args: unknown[]) {
    const repo = metadataRepository(this, name === 'create' || name === 'merge');
    if (repo) return method(repo, name).apply(repo, args);
    return name === 'create' ? createWithoutMetadata(this.target, args[0]) : Object.assign(args[0] as object, ...args.slice(1));
  });
}
for (const name of BOUND) {
  define(name, function (this: LeasedRepository) {
    throw new TypeError(
      `${name}() of the repository injected by @InjectConnectionRepository(${entityLabel(this.target)}) would be tied to one DataSource and outlive its lease: ` +
        `write conn.use((ds) => ds.getRepository(${entityLabel(this.target)}).${name}(...)...) instead`,
    );
  });
}

function metadataRepository(repo: LeasedRepository): Repository<ObjectLiteral>;
function metadataRepository(repo: LeasedRepository, optional: boolean): Repository<ObjectLiteral> | null;
function metadataRepository(repo: LeasedRepository, optional = false): Repository<ObjectLiteral> | null {
  const ds = repo.source().metadataSource;
  if (ds) return ds.getRepository(repo.target as Target);
  if (optional) return null;
  throw new TypeError(
    `The metadata of ${entityLabel(repo.target)} is known once connection "${repo.source().name}" has connected: await conn.resolve() first`,
  );
}

/**
 * `create()` before the first connect: `new Entity()` with the values assigned, which is what
 * TypeORM's `create` does for plain columns (its metadata is needed only to convert nested relations).
 */
function createWithoutMetadata(target: unknown, plain: unknown): unknown {
  if (typeof target !== 'function') {
    throw new TypeError(`create() of ${entityLabel(target)} needs its metadata: await conn.resolve() first`);
  }
  const make = (values: unknown) => Object.assign(new (target as new () => object)(), values ?? {});
  return Array.isArray(plain) ? plain.map(make) : make(plain);
}

export function leasedRepository<T extends ObjectLiteral>(source: () => RepositorySource, entity: unknown): ConnectionRepository<T> {
  return new LeasedRepository(source, entity) as unknown as ConnectionRepository<T>;
}
