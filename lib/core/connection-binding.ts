import type { Logger } from '@nestjs/common';
import type { Subject } from 'rxjs';
import type { ResolvedPolicy } from './connect-policy.js';
import type { ConnectionEvent } from '../interfaces/connection-event.interface.js';

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
}

/** How a keyed connection keeps its keys. */
export interface KeyedBinding {
  /** `Infinity` without a bound. */
  maxEntries: number;
  idleTtlMs: number | null;
  /** Per-key options from the secrets files, merged over the connection's options for that key. */
  keyOptions: Readonly<Record<string, Record<string, unknown>>>;
}

