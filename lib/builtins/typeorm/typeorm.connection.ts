import type { DataSource, EntityManager } from 'typeorm';
import { BaseConnection } from '../../core/base-connection.js';
import { Connection } from '../../core/connection.decorator.js';
import { ConnectionConfigError } from '../../errors/connection.errors.js';
import type { ConnectContext } from '../../interfaces/use-options.interface.js';
import { loadPeer } from '../../utils/load-peer.util.js';
import { isSqlConnectionError } from '../sql/sql-error-classifier.js';
import type { RepositorySource } from './leased-repository.js';
import { SchemaOnce } from './schema-once.js';
import type { TypeOrmConnectionOptions } from './typeorm-connection-options.interface.js';
import { dataSourceOptionsOf, driverPackageOf, validateTypeOrmOptions } from './typeorm-data-source-options.js';

type TypeOrmModule = typeof import('typeorm');
type Emitter = { on(event: string, listener: (...args: never[]) => void): unknown };
type IsolationLevel = Parameters<DataSource['transaction']>[0] & string;

/**
 * A TypeORM `DataSource` as a resettable connection: the built-in type `'typeorm'`.
 *
 * ```toml
 * [connections.main]
 * type = "typeorm"
 * url = "postgresql://app:secret@db.internal:5432/app"
 * synchronize = true
 * ```
 *
 * - `_connect` builds a DataSource from the options and initializes it; `_disconnect` destroys
 *   it (after the `use()` calls on it drained); `_ping` runs `select 1`.
 * - `synchronize`, `migrationsRun` and `dropSchema` run on the first connect of the process
 *   only, never on a reconnect and never twice at once (see `SchemaOnce`).
 * - Repositories: `@InjectConnectionRepository(Entity)`; query builders and anything else that
 *   holds on to the DataSource: `conn.use((ds) => ...)`; transactions: `conn.transaction(fn)`.
 *
 * `typeorm` and the driver (`pg`, `mysql2`, `better-sqlite3`) are optional peers, imported on
 * the first connect (and at bootstrap, to check the options).
 */
@Connection()
export class TypeOrmConnection extends BaseConnection<DataSource, TypeOrmConnectionOptions> implements RepositorySource {
  readonly #schema = new SchemaOnce();
  /** Entities of the `@InjectConnectionRepository` uses bound to this connection. */
  readonly #collected = new Set<unknown>();
  #metadataSource: DataSource | null = null;

  /** The latest DataSource that was initialized: entity metadata for `create()` and friends. */
  get metadataSource(): DataSource | null {
    return this.#metadataSource;
  }

  /** How many times the schema steps started in this process (at most once per key). */
  get schemaRuns(): number {
    return this.#schema.started;
  }

  /**
   * Runs `fn` in a transaction on the DataSource in service (held for the whole transaction):
   * `DataSource#transaction`, reset-safe. Never retried.
   */
  transaction<R>(fn: (manager: EntityManager) => Promise<R>): Promise<R>;
  transaction<R>(isolationLevel: IsolationLevel, fn: (manager: EntityManager) => Promise<R>): Promise<R>;
  transaction<R>(
    levelOrFn: IsolationLevel | ((manager: EntityManager) => Promise<R>),
    maybeFn?: (manager: EntityManager) => Promise<R>,
  ): Promise<R> {
    return this.use((ds) =>
      typeof levelOrFn === 'function' ? ds.transaction(levelOrFn) : ds.transaction(levelOrFn, maybeFn!),
    );
  }

  /** @internal Adds an entity injected with `@InjectConnectionRepository` (from the next connect on). */
  addEntity(entity: unknown): void {
    this.#collected.add(entity);
  }

  protected override _validateOptions(options: TypeOrmConnectionOptions): void {
    validateTypeOrmOptions(options);
  }

  /**
   * @internal TypeORM's own checks of the options (`new DataSource()` validates the driver type
   * and its required options; nothing connects), run at bootstrap. Throws TypeORM's error.
   */
  async checkWithTypeOrm(): Promise<void> {
    const typeorm = await this.#typeorm();
    const { dataSource } = dataSourceOptionsOf(this._options, this.#entities());
    await this.#loadDriver(String(dataSource.type));
    try {
      // Constructed only for its validation (the driver type and its required options); never initialized.
      const probe = new typeorm.DataSource(dataSource as unknown as ConstructorParameters<TypeOrmModule['DataSource']>[0]);
      void probe;
    } catch (err) {
      throw new ConnectionConfigError(this.name, optionKeyOf(err), `TypeORM rejects the options: ${this._mask(err)}`);
    }
  }

  /** @internal Whether `entity` is a TypeORM entity: a class decorated with `@Entity()` (or `@ChildEntity()`), or an EntitySchema. */
  async isEntity(entity: unknown): Promise<boolean> {
    const typeorm = await this.#typeorm();
    if (entity instanceof typeorm.EntitySchema) return true;
    return typeof entity === 'function' && typeorm.getMetadataArgsStorage().tables.some((table) => table.target === entity);
  }

  protected override async _connect(options: TypeOrmConnectionOptions, context: ConnectContext): Promise<DataSource> {
    const typeorm = await this.#typeorm();
    const { dataSource, steps } = dataSourceOptionsOf(options, this.#entities(options));
    await this.#loadDriver(String(dataSource.type));
    const ds = new typeorm.DataSource(dataSource as unknown as ConstructorParameters<TypeOrmModule['DataSource']>[0]);
    await ds.initialize();
    try {
      // Keyed connections (one DataSource per key) run the steps once per key.
      await this.#schema.run(context.key, ds, steps);
      await ds.query('select 1');
    } catch (err) {
      await ds.destroy().catch(() => undefined);
      throw err;
    }
    this.#metadataSource = ds;
    this.#watchSessions(ds, context.key);
    return ds;
  }

  /**
   * When the server ends a pooled session (pg_terminate_backend, KILL, a restart), the pools drop
   * it quietly and open another one later. Here that also retires the DataSource, if it is still
   * the one in service: the next call gets a fresh DataSource instead of a pool that may hold
   * more dead sessions (its queries would fail once each before the pool notices).
   */
  #watchSessions(ds: DataSource, key: string | undefined): void {
    const onLost = () => void this.#resetIfInService(ds, key);
    const driver = ds.driver as unknown as { master?: Emitter; pool?: Emitter & { _allConnections?: { toArray?(): Emitter[] } } };
    // pg: the pool emits `error` for an idle client the server ended.
    driver.master?.on('error', onLost);
    // mysql2: each pooled connection emits `error` when the server ends it.
    if (driver.pool) {
      for (const connection of driver.pool._allConnections?.toArray?.() ?? []) connection.on('error', onLost);
      driver.pool.on('connection', (connection: Emitter) => connection.on('error', onLost));
    }
  }

  async #resetIfInService(ds: DataSource, key: string | undefined): Promise<void> {
    // A keyed connection: the DataSource of that key (one per tenant), through its handle.
    const target = key === undefined ? this : this.for(key);
    if (target.state !== 'connected') return;
    try {
      if ((await target.resolve()) === ds) await target.reset();
    } catch {
      // closed meanwhile, or the reset's own problem: the next call reports it
    }
  }

  protected override async _disconnect(ds: DataSource): Promise<void> {
    if (ds.isInitialized) await ds.destroy();
  }

  protected override async _ping(ds: DataSource): Promise<void> {
    await ds.query('select 1');
  }

  /** The SQL drivers' connection-level errors (TypeORM keeps the driver's in `driverError`), and a destroyed DataSource. */
  protected override _isConnectionError(err: unknown): boolean {
    const e = err as { driverError?: unknown; name?: unknown } | null;
    return isSqlConnectionError(err) || isSqlConnectionError(e?.driverError) || e?.name === 'ConnectionIsNotSetError';
  }

  /** How `typeorm` and the drivers are imported: `import()`, from this package's location. */
  protected _importPeer(specifier: string): Promise<unknown> {
    return import(specifier);
  }

  #entities(options: TypeOrmConnectionOptions = this._options): unknown[] {
    const listed = Array.isArray(options.entities) ? options.entities : [];
    return [...new Set([...listed, ...this.#collected])];
  }

  #typeorm(): Promise<TypeOrmModule> {
    return loadPeer<TypeOrmModule>('typeorm', this.name, 'TypeOrmConnection', (s) => this._importPeer(s));
  }

  async #loadDriver(type: string): Promise<void> {
    const pkg = driverPackageOf(type);
    if (pkg) await loadPeer(pkg, this.name, `type "${type}" of TypeOrmConnection`, (s) => this._importPeer(s));
  }
}

/** The option a TypeORM validation error is about (`MissingDriverError`: type; `DriverOptionNotSetError`: the one it names). */
function optionKeyOf(err: unknown): string {
  const { name, message } = (err ?? {}) as { name?: unknown; message?: unknown };
  if (name === 'MissingDriverError') return 'type';
  return (typeof message === 'string' ? /option \(([\w.]+)\)/i.exec(message)?.[1] : undefined) ?? 'options';
}
