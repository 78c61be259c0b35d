import { Logger } from '@nestjs/common';
import type { Redis, RedisOptions } from 'ioredis';
import { BaseConnection } from '../../core/base-connection.js';
import type { ConnectContext } from '../../interfaces/use-options.interface.js';
import type { FunctionOptionKind } from '../../interfaces/option-value.interface.js';
import { Connection } from '../../core/connection.decorator.js';
import { kOptionKeys } from '../../core/option-keys.js';
import { loadPeer } from '../../utils/load-peer.util.js';
import type { ConnectionPoolInfo } from '../../interfaces/connection-info.interface.js';
import type { RedisConnectionOptions } from './redis-connection-options.interface.js';
import { isRedisConnectionError } from './redis-error-classifier.js';
import { checkRedisOptions, ioredisArgsOf, REDIS_TYPED_KEYS } from './redis-options.js';

/** How long QUIT may wait for its answer when a client is disposed. All its use() calls have ended by then. */
const QUIT_TIMEOUT_MS = 1_000;

type RedisConstructor = new (...args: [string, RedisOptions] | [RedisOptions]) => Redis;

/**
 * Redis through ioredis: the built-in type `'redis'`.
 *
 * ```toml
 * [connections.cache]
 * type = "redis"
 * url = "redis://:secret@cache.internal:6379/0"
 * ```
 *
 * ioredis' own reconnection is off: when the socket is lost the client ends, commands fail
 * with a connection-level error, and `use(fn, { retry: true })` (for idempotent commands)
 * resets and runs again on a fresh client. ioredis is an optional peer, imported on the first
 * connect.
 */
@Connection()
export class RedisConnection extends BaseConnection<Redis, RedisConnectionOptions> {
  /** So CONNECTIONS__<NAME>__CONNECT_TIMEOUT finds `connectTimeout`. */
  static readonly [kOptionKeys] = [...REDIS_TYPED_KEYS.numbers!, ...REDIS_TYPED_KEYS.booleans!, 'keyPrefix', 'connectionName'];
  readonly #logger = new Logger('Connections');

  /**
   * ioredis' own hooks reach it untouched. Every other function value set in code (a
   * `password` returning the current token) is called on each connect: ioredis takes a string,
   * so an instance keeps the password it connected with (pair it with `ttl` and `refreshAhead`).
   */
  protected static override readonly functionOptions: Readonly<Record<string, FunctionOptionKind>> = {
    reconnectOnError: 'callback',
    retryStrategy: 'callback',
    Connector: 'callback',
    natMap: 'callback',
    preferredSlaves: 'callback',
    sentinelRetryStrategy: 'callback',
    sentinelReconnectStrategy: 'callback',
  };

  protected override _validateOptions(options: RedisConnectionOptions): void {
    checkRedisOptions(options, (this.constructor as typeof RedisConnection).functionOptions);
  }

  /** Connects and sends PING before the client counts as connected. */
  protected override async _connect(options: RedisConnectionOptions, context: ConnectContext): Promise<Redis> {
    const ioredis = await loadPeer<{ Redis: RedisConstructor }>('ioredis', this.name, 'RedisConnection', (specifier) =>
      this._importPeer(specifier),
    );
    const client = new ioredis.Redis(...ioredisArgsOf(options));
    // ioredis reports socket errors as events (and prints unhandled ones, unmasked). While
    // connecting, keep the last one: it says more than "Connection is closed.". Once connected,
    // log them masked: the next command fails and the caller decides about a reset.
    let lastError: unknown;
    let connected = false;
    client.on('error', (err: unknown) => {
      lastError = err;
      if (connected) this.#logger.warn(`Connection "${this.name}" (ioredis): ${this._mask(err)}`);
    });
    // Given up on (connectTimeout, shutdown): end the client. On a socket that never answers
    // (half-open) the connect would otherwise stay pending, and its socket open, forever.
    const abort = () => client.disconnect();
    if (context.signal.aborted) abort();
    context.signal.addEventListener('abort', abort, { once: true });
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      client.disconnect();
      throw lastError ?? err;
    } finally {
      context.signal.removeEventListener('abort', abort);
    }
    connected = true;
    return client;
  }

  /**
   * QUIT, so the server answers what was sent before it; then waits for the socket to close,
   * so `disposed` means gone. A client whose socket is already lost is just dropped, and one
   * whose QUIT gets no answer within QUIT_TIMEOUT_MS (a half-open socket) is disconnected:
   * otherwise its disposal, and the app's shutdown, would wait forever.
   */
  protected override async _disconnect(client: Redis): Promise<void> {
    if (client.status === 'end') return;
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    const timer = setTimeout(() => client.disconnect(), QUIT_TIMEOUT_MS);
    try {
      await client.quit();
    } catch {
      client.disconnect();
    }
    try {
      await ended;
    } finally {
      clearTimeout(timer);
    }
  }

  protected override async _ping(client: Redis): Promise<void> {
    await client.ping();
  }

  /**
   * One multiplexed socket, not a pool: `status` is ioredis' link state; `used` is 1 while
   * commands await their replies, `idle` 1 when the link is ready with none, `waiting` counts
   * commands queued while the link is not ready (the offline queue), and `max` is 1.
   */
  protected override _pool(client: Redis): ConnectionPoolInfo | undefined {
    const { status } = client;
    const inFlight = (client as unknown as { commandQueue?: { length: number } }).commandQueue?.length ?? 0;
    const offline = (client as unknown as { offlineQueue?: { length: number } }).offlineQueue?.length ?? 0;
    const busy = status === 'ready' && inFlight > 0 ? 1 : 0;
    return { used: busy, idle: status === 'ready' && !busy ? 1 : 0, waiting: offline, max: 1, status };
  }

  /** Socket errors and "Connection is closed."; never a reply of the server. */
  protected override _isConnectionError(err: unknown): boolean {
    return isRedisConnectionError(err);
  }

  /** How ioredis is imported: `import()`, from this package's location. */
  protected _importPeer(specifier: string): Promise<unknown> {
    return import(specifier);
  }
}
