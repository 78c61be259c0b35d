/** What SqlConnection needs to know about one SQL dialect. */
export interface SqlDialect {
  /** The canonical name (`info()`, messages). */
  readonly name: 'postgresql' | 'mysql' | 'mariadb' | 'sqlite';
  /** The knex client, which is also the npm package of the driver. */
  readonly client: 'pg' | 'mysql2' | 'better-sqlite3';
  /** Names accepted in `dialect` and in URL schemes. */
  readonly aliases: readonly string[];
  /**
   * Names accepted in `driver` (and after `+` in URL schemes). Node has one driver per
   * dialect here; Streamlit's Python driver names are accepted so that its secrets files
   * work unchanged (`postgresql+psycopg2://...`).
   */
  readonly drivers: readonly string[];
  /** A file database: `database` is a path and there is no server. */
  readonly embedded: boolean;
}

const MYSQL_DRIVERS = ['mysql2', 'pymysql', 'mysqldb', 'mysqlconnector', 'aiomysql', 'asyncmy', 'mariadbconnector', 'cymysql'];

export const SQL_DIALECTS: readonly SqlDialect[] = [
  {
    name: 'postgresql',
    client: 'pg',
    aliases: ['postgresql', 'postgres', 'pg'],
    drivers: ['pg', 'psycopg2', 'psycopg', 'psycopg2cffi', 'asyncpg', 'pg8000'],
    embedded: false,
  },
  { name: 'mysql', client: 'mysql2', aliases: ['mysql'], drivers: MYSQL_DRIVERS, embedded: false },
  { name: 'mariadb', client: 'mysql2', aliases: ['mariadb'], drivers: MYSQL_DRIVERS, embedded: false },
  {
    name: 'sqlite',
    client: 'better-sqlite3',
    aliases: ['sqlite', 'sqlite3'],
    drivers: ['better-sqlite3', 'pysqlite', 'aiosqlite'],
    embedded: true,
  },
];

export function findDialect(name: string): SqlDialect | undefined {
  const wanted = name.toLowerCase();
  return SQL_DIALECTS.find((dialect) => dialect.aliases.includes(wanted));
}

export const KNOWN_DIALECTS = 'postgresql, mysql, mariadb, sqlite';
