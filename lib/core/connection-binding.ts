import { inspect } from 'node:util';
import type { Logger } from '@nestjs/common';
import type { Subject } from 'rxjs';
import type { ResolvedPolicy } from './connect-policy.js';
import type { kDescribeOptions } from './connection.symbols.js';
import type { ConnectionEvent } from '../interfaces/connection-event.interface.js';
import type { ConnectionConfigStatus, ConnectionInfo } from '../interfaces/connection-info.interface.js';

/**
 * What the registry hands a connection when it registers it: its name, its merged
 * options and policies. Internal: authors never build one.
 */
export interface ConnectionBinding {
  name: string;
  /** Class name or built-in type name, for `info().type`. */
  type: string;
  /** Options for `_connect`, merged from every layer (S1). */
  options: Record<string, unknown>;
  /** The merged `[connections.<name>]` secrets section (files, then environment), frozen. */
  secrets: Readonly<Record<string, unknown>>;
  /** Every secret value of `options`, masked wherever a message could carry it (M1). */
  secretValues: ReadonlySet<string>;
  policy: ResolvedPolicy;
  /** For a keyed connection: its bounds, and the `[connections.<name>.keys.<key>]` tables. Null otherwise. */
  keyed: KeyedBinding | null;
  /** The registry's event stream, fed alongside the connection's own. */
  sink: Subject<ConnectionEvent> | null;
  logger: Logger;
  /**
   * What `info()` adds about the configuration (`source`, `dialect`, `config`), frozen. As text
   * (its non-enumerable `toString`) it is what `util.inspect(conn)` prints after the state.
   * Replaced, never mutated, when a reload is rejected or applied.
   */
  about: ConnectionAbout;
}

/** The part of `ConnectionInfo` that says where the options came from and whether they are current. */
export type ConnectionAbout = Readonly<Pick<ConnectionInfo, 'source' | 'dialect' | 'config'>>;

/**
 * A connection class may describe its options for `info()` and `inspect` with a static method
 * under `kDescribeOptions` (SqlConnection: `{ dialect }`). It must not throw: it runs before the
 * options are validated, and an error there is the validation's to report.
 */
export interface DescribesOptions {
  [kDescribeOptions]?(options: Record<string, unknown>): { dialect?: string };
}

function aboutText(this: ConnectionAbout): string {
  const dialect = this.dialect === undefined ? '' : `, dialect: ${inspect(this.dialect)}`;
  const config = this.config.status === 'current' ? '' : `, config: ${inspect(this.config.status)}`;
  return `source: ${inspect(this.source)}${dialect}${config}`;
}

/** A frozen `about` (see `ConnectionBinding.about`). */
export function aboutOf(source: string, dialect: string | undefined, config: ConnectionConfigStatus): ConnectionAbout {
  const about = dialect === undefined ? { source, config: Object.freeze({ ...config }) } : { source, dialect, config: Object.freeze({ ...config }) };
  Object.defineProperty(about, 'toString', { value: aboutText, enumerable: false });
  return Object.freeze(about);
}

/** The same `about` with another configuration status. */
export function withConfigStatus(about: ConnectionAbout, config: ConnectionConfigStatus): ConnectionAbout {
  return aboutOf(about.source, about.dialect, config);
}

/** How a keyed connection keeps its keys. */
export interface KeyedBinding {
  /** `Infinity` without a bound. */
  maxEntries: number;
  idleTtlMs: number | null;
  /** Per-key options from the secrets files, merged over the connection's options for that key. */
  keyOptions: Readonly<Record<string, Record<string, unknown>>>;
}

