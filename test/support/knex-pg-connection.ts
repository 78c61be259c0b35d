import knex, { type Knex } from 'knex';
import { BaseConnection } from 'nestjs-connections';

/** knex logs refused connections to the console itself; tests read them from the API instead. */
const QUIET = { warn() {}, error() {}, debug() {}, deprecate() {} };

/**
 * A small connection on knex + pg, as an author would write one (the README's example): tests
 * decorate subclasses of it with their own names. Not abstract, so `@Connection()` accepts it.
 */
export class KnexPgConnection extends BaseConnection<Knex, { url: string }> {
  protected override async _connect(options: { url: string }): Promise<Knex> {
    const db = knex({ client: 'pg', connection: options.url, pool: { min: 0, max: 2 }, acquireConnectionTimeout: 5_000, log: QUIET });
    try {
      await db.raw('select 1');
      return db;
    } catch (err) {
      await db.destroy();
      throw err;
    }
  }
  protected override async _disconnect(db: Knex): Promise<void> {
    await db.destroy();
  }
  protected override async _ping(db: Knex): Promise<void> {
    await db.raw('select 1');
  }
}
