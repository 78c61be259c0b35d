/** What happened to a connection (E1). */
export type ConnectionEventType =
  | 'connecting'
  | 'connected'
  | 'connect-failed'
  | 'reset'
  | 'expired'
  | 'disposed'
  | 'closed'
  | 'evicted'
  | 'circuit-open'
  | 'circuit-half-open'
  | 'circuit-closed';

/** One event on `events$`; JSON-safe and masked (M1). */
export interface ConnectionEvent {
  name: string;
  /** For a keyed connection: the key the event is about. */
  key?: string;
  type: ConnectionEventType;
  /** The generation the event is about (for `connecting`: the one being created). */
  generation: number;
  /** ISO timestamp. */
  at: string;
  durationMs?: number;
  /** Masked error message, for `connect-failed` (and a failed `_disconnect` on `disposed`). */
  error?: string;
}
