import { kBound, kDisconnect, kEmit, kOpen } from './connection.symbols.js';
import type { ConnectionBinding } from './connection-binding.js';
import type { EmitExtra } from './connection-connector.js';
import type { ConnectionLifecycle, LifecycleHost } from './connection-lifecycle.js';
import type { ConnectionEventType } from '../interfaces/connection-event.interface.js';
import type { ResetResult } from '../interfaces/reset-result.interface.js';
import type { ConnectContext } from '../interfaces/use-options.interface.js';


/** The side of `BaseConnection` its lifecycles see. */
export interface HostedConnection<TRaw> {
  [kBound](): ConnectionBinding;
  [kOpen](context: ConnectContext, key: string | undefined): Promise<TRaw> | TRaw;
  [kDisconnect](raw: TRaw): Promise<void>;
  [kEmit](type: ConnectionEventType, generation: number, extra: EmitExtra | undefined, key: string | undefined): void;
  isConnectionError(err: unknown): boolean;
}

/**
 * Ties one lifecycle to its connection (and, for a keyed connection, to its key). A class with
 * prototype methods rather than closures: a keyed connection holds one per live key.
 */
export class ConnectionHost<TRaw> implements LifecycleHost<TRaw> {
  lifecycle!: ConnectionLifecycle<TRaw>;
  /** A keyed connection's new key waits for the keys retired to make room for it (see `KeyedLifecycles`). */
  gate: Promise<void> | null = null;

  constructor(
    private readonly connection: HostedConnection<TRaw>,
    readonly key: string | undefined,
  ) {}

  get binding(): ConnectionBinding {
    return this.connection[kBound]();
  }

  get label(): string {
    const { name } = this.binding;
    return this.key === undefined ? name : `${name}" key "${this.key}`;
  }

  open(context: ConnectContext): Promise<TRaw> | TRaw {
    const gate = this.gate;
    if (gate === null) return this.connection[kOpen](context, this.key);
    return gate.then(() => {
      this.gate = null;
      return this.connection[kOpen](context, this.key);
    });
  }

  emit(type: ConnectionEventType, generation: number, extra?: EmitExtra): void {
    this.connection[kEmit](type, generation, extra, this.key);
  }

  discard(raw: TRaw): void {
    this.lifecycle.discard(raw);
  }

  disconnect(raw: TRaw): Promise<void> {
    return this.connection[kDisconnect](raw);
  }

  isConnectionError(err: unknown): boolean {
    return this.connection.isConnectionError(err);
  }

  result(reset: boolean, previousGeneration: number, generation: number): ResetResult {
    const name = this.binding.name;
    return this.key === undefined
      ? { name, reset, previousGeneration, generation }
      : { name, key: this.key, reset, previousGeneration, generation };
  }
}
