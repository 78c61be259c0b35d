import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import { ClusterTransport } from './cluster-transport.js';
import { loadPeer } from '../utils/load-peer.util.js';

/**
 * Cluster messages over NATS core pub/sub (on `@nats-io/transport-node` 3.x, an optional
 * peer). Subjects: `<channel>.all` for broadcasts, `<channel>.to.<instanceId>` for one
 * replica's inbox (answers).
 *
 * The client's own reconnect is off: when the connection closes the transport resets itself
 * and the coordinator reconnects it (see `ClusterTransport`), so a publish while down fails
 * at once instead of being buffered for later.
 */
export class NatsClusterTransport extends ClusterTransport<NatsConnection> {
  readonly transportName = 'nats' as const;

  get broadcastSubject(): string {
    return `${this.address.channel}.all`;
  }

  inboxOf(instanceId: string): string {
    return `${this.address.channel}.to.${instanceId}`;
  }

  protected override async _open(options: Record<string, unknown>, signal: AbortSignal): Promise<NatsConnection> {
    const { connect } = await loadPeer<typeof import('@nats-io/transport-node')>(
      '@nats-io/transport-node',
      this.name,
      'the NATS cluster transport',
    );
    const settings: NodeConnectionOptions = {
      timeout: 5_000,
      name: `nestjs-connections:${this.address.instanceId}`,
      ...(options as NodeConnectionOptions),
      reconnect: false,
    };
    const nc = await connect(settings);
    const abort = () => void nc.close().catch(() => undefined);
    signal.addEventListener('abort', abort, { once: true });
    try {
      const callback = (err: Error | null, msg: { string(): string }) => {
        if (!err) this.hooks.message(msg.string());
      };
      nc.subscribe(this.broadcastSubject, { callback });
      nc.subscribe(this.inboxOf(this.address.instanceId), { callback });
      // The server has the subscriptions once this round trip is back: answers to our
      // "hello" cannot overtake them.
      await nc.flush();
    } catch (err) {
      abort();
      throw err;
    } finally {
      signal.removeEventListener('abort', abort);
    }
    void nc.closed().then((err) => this._lost(nc, err ? this._mask(err) : 'connection closed by the broker'));
    return nc;
  }

  protected override async _publish(nc: NatsConnection, to: string | null, wire: string): Promise<void> {
    nc.publish(to === null ? this.broadcastSubject : this.inboxOf(to), wire);
  }

  protected override async _close(nc: NatsConnection): Promise<void> {
    if (nc.isClosed()) return;
    // Flush first so a last publish (the "bye") leaves before the socket closes.
    await nc.flush().catch(() => undefined);
    await nc.close().catch(() => undefined);
  }
}
