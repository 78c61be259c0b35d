// `nestjs-connections/sql`: the 'sql' type on knex (pg, mysql2, better-sqlite3 are optional peers, loaded on first connect).
export { SqlConnection } from './sql.connection.js';
export { SqlQueryError } from '../../errors/sql-query.error.js';
export type { SqlConnectionOptions, SqlQueryOptions } from './sql-connection-options.interface.js';
