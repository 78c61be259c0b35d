import type { Redis, RedisOptions } from 'ioredis';
import { ClusterTransport } from './cluster-transport.js';
import { loadPeer } from '../utils/load-peer.util.js';

/** Redis pub/sub needs two clients: one in subscriber mode can do nothing else. */
export interface RedisPubSub {
  pub: Redis;
  sub: Redis;
}

/**
 * Cluster messages over Redis pub/sub (on `ioredis`, an optional peer). Channels:
 * `<channel>` for broadcasts, `<channel>:to:<instanceId>` for one replica's inbox (answers).
 *
 * ioredis' own retries and offline queue are off: a publish while the link is down must fail
 * at once, not wait in a queue for a reconnect that the library does itself (see
 * `ClusterTransport`).
 */
export class RedisClusterTransport extends ClusterTransport<RedisPubSub> {
  readonly transportName = 'redis' as const;

  inboxOf(instanceId: string): string {
    return `${this.address.channel}:to:${instanceId}`;
  }

  protected override async _open(options: Record<string, unknown>, signal: AbortSignal): Promise<RedisPubSub> {
    const { Redis } = await loadPeer<typeof import('ioredis')>('ioredis', this.name, 'the Redis cluster transport');
    const { url, ...rest } = options as unknown as { url: string } & RedisOptions;
    const settings: RedisOptions = {
      connectTimeout: 5_000,
      ...rest,
      lazyConnect: true,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      autoResubscribe: false,
      connectionName: `nestjs-connections:${this.address.instanceId}`,
    };
    const pub = new Redis(url, settings);
    const sub = new Redis(url, settings);
    // ioredis rejects connect() with "Connection is closed."; the 'error' event has the cause.
    let lastError: unknown = null;
    for (const client of [pub, sub]) client.on('error', (err: unknown) => (lastError = err));
    const abort = () => {
      pub.disconnect();
      sub.disconnect();
    };
    signal.addEventListener('abort', abort, { once: true });
    try {
      await Promise.all([pub.connect(), sub.connect()]);
      await sub.subscribe(this.address.channel, this.inboxOf(this.address.instanceId));
    } catch (err) {
      abort();
      throw lastError ?? err;
    } finally {
      signal.removeEventListener('abort', abort);
    }
    const pair: RedisPubSub = { pub, sub };
    sub.on('message', (_channel: string, message: string) => this.hooks.message(message));
    for (const client of [pub, sub]) {
      client.once('close', () => this._lost(pair, lastError ? this._mask(lastError) : 'connection closed by the broker'));
    }
    return pair;
  }

  protected override async _publish(pair: RedisPubSub, to: string | null, wire: string): Promise<void> {
    await pair.pub.publish(to === null ? this.address.channel : this.inboxOf(to), wire);
  }

  protected override async _close(pair: RedisPubSub): Promise<void> {
    // QUIT lets a last publish (the "bye") reach the server before the socket closes.
    await Promise.all(
      [pair.pub, pair.sub].map((client) =>
        client.status === 'ready' ? client.quit().catch(() => client.disconnect()) : client.disconnect(),
      ),
    );
  }
}
