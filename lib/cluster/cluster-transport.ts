import { BaseConnection } from '../core/base-connection.js';
import type { ConnectContext } from '../interfaces/use-options.interface.js';
import { ClusterUnavailableError } from '../errors/cluster.errors.js';

/** Where a transport delivers what it receives, and tells that its broker link was lost. */
export interface ClusterTransportHooks {
  /** Each payload received on the broadcast channel or on this replica's inbox, unverified. */
  message(wire: string): void;
  /** The live client died (socket closed, broker gone). The transport has already reset itself. */
  lost(reason: string): void;
}

/** The addresses a transport derives its channels or subjects from. */
export interface ClusterAddress {
  channel: string;
  instanceId: string;
}

/**
 * A cluster transport is a connection of this library: its raw client is the broker link
 * (ioredis pub/sub pair, NATS connection). So it is lazy, connects once however many callers
 * race, is fenced and disposed exactly once on reset, and shows up with the usual
 * `ConnectionInfo` — there is no second lifecycle to get wrong.
 *
 * The drivers' own reconnect loops are turned off on purpose: when the link dies, the
 * transport resets itself (the library's reset), and the coordinator's next `resolve()`
 * connects a fresh link and rejoins the cluster. Meanwhile `send` fails fast.
 */
export abstract class ClusterTransport<TRaw> extends BaseConnection<TRaw, Record<string, unknown>> {
  /** `redis` or `nats`, as errors and the status name it. */
  abstract readonly transportName: 'redis' | 'nats';
  /** The raw client in service and believed healthy; null while down. */
  #live: TRaw | null = null;
  #lastError: string | null = null;

  constructor(
    protected readonly address: ClusterAddress,
    protected readonly hooks: ClusterTransportHooks,
  ) {
    super();
  }

  /** Whether the broker link is up right now. */
  get up(): boolean {
    return this.#live !== null;
  }

  /** The last broker error (masked), or null. */
  get lastError(): string | null {
    return this.#lastError;
  }

  /**
   * Publishes a sealed message to every replica (`to = null`) or to one replica's inbox.
   * Never waits for a connect: when the link is down it throws `ClusterUnavailableError` at once.
   */
  async send(to: string | null, wire: string, connectionName = '*'): Promise<void> {
    const live = this.#live;
    if (live === null) {
      throw new ClusterUnavailableError(connectionName, this.transportName, this.#lastError ?? 'not connected yet');
    }
    try {
      await this._publish(live, to, wire);
    } catch (err) {
      const reason = this._mask(err);
      this._lost(live, reason);
      throw new ClusterUnavailableError(connectionName, this.transportName, reason);
    }
  }

  /** Declares the live link dead (e.g. our own heartbeats stopped coming back through it). */
  abandon(reason: string): void {
    if (this.#live !== null) this._lost(this.#live, reason);
  }

  protected override async _connect(options: Record<string, unknown>, context: ConnectContext): Promise<TRaw> {
    try {
      const raw = await this._open(options, context.signal);
      this.#live = raw;
      this.#lastError = null;
      return raw;
    } catch (err) {
      this.#lastError = this._mask(err);
      throw err;
    }
  }

  protected override async _disconnect(raw: TRaw): Promise<void> {
    if (this.#live === raw) this.#live = null;
    await this._close(raw);
  }

  protected override _isConnectionError(): boolean {
    return true; // everything a pub/sub link throws is about the link
  }

  /** Called by the driver's close/error events: only the live client's death counts. */
  protected _lost(raw: TRaw, reason: string): void {
    if (this.#live !== raw) return;
    this.#live = null;
    this.#lastError = reason;
    // The library's reset: the dead client is disposed once, the next resolve() reconnects.
    this.reset().catch(() => undefined);
    this.hooks.lost(reason);
  }

  /** Connects, subscribes to the broadcast channel and this replica's inbox, and wires `hooks.message`. */
  protected abstract _open(options: Record<string, unknown>, signal: AbortSignal): Promise<TRaw>;
  protected abstract _publish(raw: TRaw, to: string | null, wire: string): Promise<void>;
  protected abstract _close(raw: TRaw): Promise<void>;
}
