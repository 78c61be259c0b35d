import type { ConnectionInfo, ConnectionState } from '../interfaces/connection-info.interface.js';
import type { ResetOptions, ResetResult } from '../interfaces/reset-result.interface.js';
import type { UseOptions } from '../interfaces/use-options.interface.js';

/**
 * One key of a keyed connection (`conn.for(key)`): the same lifecycle promises as a connection
 * (L1-L4, R1-R8, T1, D1, E1, M1), kept per key. The same handle is returned while the key
 * lives; once the key is retired (beyond `maxEntries`, or idle past `idleTtl`) a handle still
 * held simply connects the key anew on its next use.
 */
export interface ConnectionHandle<TRaw> {
  readonly key: string;
  readonly state: ConnectionState;
  /** Instances created for this key so far (since it last became live). */
  readonly generation: number;
  resolve(): Promise<TRaw>;
  use<R>(fn: (raw: TRaw) => R | Promise<R>, opts?: UseOptions): Promise<R>;
  reset(opts?: Omit<ResetOptions, 'key'>): Promise<ResetResult>;
  info(): ConnectionInfo;
}
