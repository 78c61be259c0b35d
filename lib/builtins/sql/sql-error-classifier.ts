/**
 * Which errors mean "this connection is broken" (so a reset and a retry may help), per driver.
 * Everything else (syntax errors, constraint violations, lock timeouts, permission errors) is
 * an answer from a working server and fails at once.
 */
import { NETWORK_ERROR_CODES, someCause } from '../../utils/network-errors.util.js';

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception) and the shutdown family of 57P
 * (57P01 admin_shutdown, e.g. pg_terminate_backend; 57P02 crash_shutdown; 57P03
 * cannot_connect_now, the server is starting or stopping).
 */
const PG_STATES = /^(08\d{3}|08P01|57P0[123])$/;

/**
 * pg's own messages when the socket is gone (they carry no code).
 *
 * 'Query read timeout' is pg's `query_timeout` (client side): no answer came in time. On a
 * half-open socket (a peer or a middlebox gone silent, nothing closed) it is the only signal
 * there is, and pg keeps the timed-out query active on that client, so every later query on
 * it times out too: unless it counts as connection-level (reset: a new pool, the old one
 * destroyed), the app stays stuck on dead sockets after the server is back. The price: a
 * query slower than `query_timeout` on a healthy server also replaces the pool, which is what
 * a user who sets a client-side timeout asks for. 'timeout expired' is pg's
 * `connectionTimeoutMillis`: a new connection of the pool got no answer to its startup, the
 * same event as ECONNREFUSED, found by a timer.
 *
 * knex's 'Timeout acquiring a connection' is deliberately not here: it means the pool is
 * busy, and a reset would open a second pool beside the busy one (more server connections
 * under overload). Dead sockets are replaced through the errors of the queries on them.
 */
const PG_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Query read timeout',
  'timeout expired',
];

/**
 * MySQL/MariaDB server errors that end the session: 1053 server shutdown, 1927 connection
 * killed (MariaDB's KILL), 4031 disconnected for inactivity (MySQL 8). KILL QUERY (1317) only
 * cancels a statement and is not one of them.
 */
const MYSQL_ERRNOS = new Set([1053, 1927, 4031]);
const MYSQL_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);

/**
 * better-sqlite3: the handle was closed, the file cannot be opened or read, or it was moved
 * or deleted under us (reopening finds the new file).
 */
const SQLITE_CODE = /^(SQLITE_CANTOPEN|SQLITE_IOERR|SQLITE_READONLY_DBMOVED)/;
const SQLITE_MESSAGES = ['The database connection is not open'];

/** knex, once its pool is destroyed. */
const KNEX_MESSAGES = ['Unable to acquire a connection'];

export function isSqlConnectionError(err: unknown): boolean {
  return someCause(err, isOwnConnectionError);
}

function isOwnConnectionError(e: Record<string, unknown>): boolean {
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  if (code && (NETWORK_ERROR_CODES.has(code) || MYSQL_CODES.has(code) || PG_STATES.test(code) || SQLITE_CODE.test(code))) {
    return true;
  }
  if (typeof e.errno === 'number' && MYSQL_ERRNOS.has(e.errno)) return true;
  // mysql2 marks every error that leaves the connection unusable as fatal.
  if (e.fatal === true) return true;
  // knex prefixes the driver's message with the SQL ("select 1 - Connection terminated"): match the end.
  return [...PG_MESSAGES, ...SQLITE_MESSAGES, ...KNEX_MESSAGES].some(
    (known) => message === known || message.endsWith(` - ${known}`) || message.endsWith(`- ${known}`),
  );
}
