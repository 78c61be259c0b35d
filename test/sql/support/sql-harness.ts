import type { SqlConnection } from 'nestjs-connections/sql';
import type { ServiceName } from '../../support/services.js';

/**
 * What the shared SQL behaviour suite needs from one dialect: how to reach it, and how to
 * look at and cut its sessions from the server side.
 */
export interface SqlHarness {
  /** `postgresql`, `mariadb`, `sqlite`. */
  label: string;
  services: ServiceName[];
  /** Unique per run (table names, session markers), so parallel runs never collide. */
  marker: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** Options of a connection whose sessions the harness can find by the marker. */
  options(extra?: Record<string, unknown>): Record<string, unknown>;
  /** Sessions (server connections; for SQLite, open handles of the file) of connections made with `options()`. */
  sessions(): Promise<number>;
  /** Cuts every session of the marker from the server side; the pool still holds its dead clients. */
  killSessions(conn: SqlConnection): Promise<void>;
  /** Runs `run` and cuts the session it runs on while the statement is on the server (SQLite: just before). */
  killDuring<T>(conn: SqlConnection, table: string, run: () => Promise<T>): Promise<T>;
  /** A statement after which the server ends the very session that ran it; null without a server. */
  selfKillSql: string | null;
  /** Options holding `password` (in a url or a key), for M1; null when the dialect has no passwords. */
  secretOptions(password: string): Record<string, unknown> | null;
}
