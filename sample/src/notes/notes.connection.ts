import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Knex } from 'knex';
import { Connection, type ConnectContext } from '../../../lib/index.js';
import { SqlConnection, type SqlConnectionOptions } from '../../../lib/builtins/sql/index.js';

/** The embedded default: a SQLite file in a git-ignored folder, relative to the working directory. */
export const DEFAULT_NOTES_DATABASE = 'sample/data/notes.db';

/**
 * The notes database: the built-in SqlConnection, with an embedded SQLite default so the app
 * runs with no server. `[connections.notes] url = "postgresql://..."` in secrets.toml (or
 * `CONNECTIONS__NOTES__URL`) points it elsewhere: decorator options are the lowest layer, and
 * a url wins over the parts.
 *
 * Eager: the first start creates the file and its table, and a wrong database configuration
 * stops the app at bootstrap with the connection's name rather than at the first request.
 */
@Connection({ name: 'notes', eager: true, options: { dialect: 'sqlite', database: DEFAULT_NOTES_DATABASE } })
export class NotesConnection extends SqlConnection {
  protected override async _connect(options: SqlConnectionOptions, context: ConnectContext): Promise<Knex> {
    if (!options.url && options.dialect === 'sqlite' && typeof options.database === 'string' && options.database !== ':memory:') {
      await mkdir(dirname(options.database), { recursive: true });
    }
    const knex = await super._connect(options, context);
    try {
      // Every new instance checks its schema: after a reset the database may be another one.
      await ensureNotesTable(knex);
    } catch (err) {
      await knex.destroy();
      throw err;
    }
    return knex;
  }
}

/** The same table on SQLite, PostgreSQL and MySQL/MariaDB, through knex's schema builder. */
async function ensureNotesTable(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('notes')) return;
  await knex.schema.createTable('notes', (table) => {
    table.increments('id');
    table.string('title', 200).notNullable();
    table.text('body').notNullable();
    table.string('created_at', 32).notNullable();
  });
}
