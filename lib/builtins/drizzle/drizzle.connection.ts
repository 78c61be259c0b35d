import { BaseConnection } from '../../core/base-connection.js';
import { Connection } from '../../core/connection.decorator.js';
import { OptionKeyError } from '../../errors/option-key.error.js';
import type { ConnectContext } from '../../interfaces/use-options.interface.js';
import { isPlainObject } from '../../utils/object.util.js';
import { loadPeer } from '../../utils/load-peer.util.js';
import { isSqlConnectionError } from '../sql/sql-error-classifier.js';
import { connectionOf } from '../sql/sql-knex-config.js';
import { resolveSqlTarget } from '../sql/sql-target.js';
import type { DrizzleConnectionOptions } from './drizzle-connection-options.interface.js';
import { DRIZZLE_DRIVERS, type DrizzleDatabase } from './drizzle-drivers.js';

type DrizzleFactory = (config: Record<string, unknown>) => DrizzleDatabase;

/**
 * Drizzle as a resettable connection: the built-in type `'drizzle'`. The dialect of the
 * Streamlit keys picks the driver (`pg`, `mysql2`, `better-sqlite3`); `resolve()` gives the
 * drizzle database object, built on a pool of the driver's own, which `_disconnect` closes.
 *
 * Type the database by subclassing or at the call site:
 *
 * ```ts
 * const db = (await conn.resolve()) as NodePgDatabase<typeof schema>;
 * ```
 *
 * `drizzle-orm` and the driver are optional peers, imported on the first connect.
 */
@Connection()
export class DrizzleConnection<TDb extends DrizzleDatabase = DrizzleDatabase> extends BaseConnection<TDb, DrizzleConnectionOptions> {
  protected override _validateOptions(options: DrizzleConnectionOptions): void {
    resolveSqlTarget(options as Record<string, unknown>);
    for (const key of ['schema', 'pool', 'connection'] as const) {
      if (options[key] !== undefined && !isPlainObject(options[key])) throw new OptionKeyError(key, 'must be a table');
    }
  }

  protected override async _connect(options: DrizzleConnectionOptions, _context: ConnectContext): Promise<TDb> {
    const target = resolveSqlTarget(options as Record<string, unknown>);
    const driver = DRIZZLE_DRIVERS[target.dialect.client];
    const neededFor = `dialect "${target.dialect.name}" of DrizzleConnection`;
    const drizzleModule = await loadPeer<{ drizzle: DrizzleFactory }>(driver.drizzleModule, this.name, neededFor, (s) => this._importPeer(s));
    const driverModule = await loadPeer(driver.driverPackage, this.name, neededFor, (s) => this._importPeer(s));
    const settings = { ...connectionOf(target), ...options.pool, ...options.connection };
    const client = driver.open(driverModule, settings);
    try {
      await driver.ping(client);
    } catch (err) {
      await driver.close(client).catch(() => undefined);
      throw err;
    }
    return drizzleModule.drizzle({
      ...driver.config,
      client,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.casing === undefined ? {} : { casing: options.casing }),
    }) as TDb;
  }

  /** Closes the driver's pool (or the SQLite handle): every server session of this instance ends. */
  protected override async _disconnect(db: TDb): Promise<void> {
    await this.#driverOf().close(db.$client);
  }

  protected override async _ping(db: TDb): Promise<void> {
    await this.#driverOf().ping(db.$client);
  }

  protected override _isConnectionError(err: unknown): boolean {
    return isSqlConnectionError(err);
  }

  /** How drizzle and the drivers are imported: `import()`, from this package's location. */
  protected _importPeer(specifier: string): Promise<unknown> {
    return import(specifier);
  }

  #driverOf() {
    return DRIZZLE_DRIVERS[resolveSqlTarget(this._options as Record<string, unknown>).dialect.client];
  }
}
