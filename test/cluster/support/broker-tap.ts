import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { SERVICES } from '../../support/services.js';

/**
 * The test's own line to the broker (directly, not through the proxy): it listens to what the
 * replicas say and publishes what an intruder would. It addresses the same channels as the
 * transports: Redis `<channel>` / `<channel>:to:<id>`, NATS `<channel>.all` / `<channel>.to.<id>`.
 */
export class BrokerTap {
  private constructor(
    private readonly transport: 'redis' | 'nats',
    private readonly channel: string,
    private readonly redis: { pub: Redis; sub: Redis } | null,
    private readonly nats: NatsConnection | null,
  ) {}

  static async open(transport: 'redis' | 'nats', channel: string): Promise<BrokerTap> {
    if (transport === 'redis') {
      const { host, port } = SERVICES.redis;
      const pub = new Redis({ host, port, lazyConnect: true });
      const sub = new Redis({ host, port, lazyConnect: true });
      await Promise.all([pub.connect(), sub.connect()]);
      return new BrokerTap(transport, channel, { pub, sub }, null);
    }
    const { host, port } = SERVICES.nats;
    return new BrokerTap(transport, channel, null, await natsConnect({ servers: `${host}:${port}` }));
  }

  /** Everything said to everyone (`null`) or to one instance's inbox. Resolves once subscribed. */
  async listen(to: string | null, onMessage: (wire: string) => void): Promise<void> {
    if (this.redis) {
      const name = to === null ? this.channel : `${this.channel}:to:${to}`;
      this.redis.sub.on('message', (channel: string, message: string) => {
        if (channel === name) onMessage(message);
      });
      await this.redis.sub.subscribe(name);
      return;
    }
    this.nats!.subscribe(to === null ? `${this.channel}.all` : `${this.channel}.to.${to}`, {
      callback: (err, msg) => {
        if (!err) onMessage(msg.string());
      },
    });
    await this.nats!.flush();
  }

  /** Publishes to every replica. */
  async publish(wire: string): Promise<void> {
    if (this.redis) await this.redis.pub.publish(this.channel, wire);
    else {
      this.nats!.publish(`${this.channel}.all`, wire);
      await this.nats!.flush();
    }
  }

  async close(): Promise<void> {
    if (this.redis) {
      this.redis.pub.disconnect();
      this.redis.sub.disconnect();
    }
    if (this.nats) await this.nats.close();
  }

  get name(): string {
    return this.transport;
  }
}
