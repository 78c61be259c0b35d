import { ClusterUnavailableError } from '../errors/cluster.errors.js';
import {
  newMessageId,
  PROTOCOL_VERSION,
  type ClusterMessage,
  type ClusterMessageKind,
  type ClusterMessageOf,
} from './cluster-message.js';
import type { ClusterMessageSigner } from './cluster-message.signing.js';
import type { ClusterTransport } from './cluster-transport.js';

/** Who sends: the replica's id, this process's session, the channel. */
export interface ClusterSender {
  instanceId: string;
  session: string;
  channel: string;
}

/**
 * What a replica sends: messages stamped with its id, session and the time, sealed by the
 * signer, published on the transport.
 */
export class ClusterOutbox {
  constructor(
    private readonly sender: ClusterSender,
    private readonly signer: ClusterMessageSigner,
    private readonly transport: ClusterTransport<unknown>,
  ) {}

  message<K extends ClusterMessageKind>(kind: K, body: ClusterMessageOf<K>['body']): ClusterMessageOf<K> {
    return {
      v: PROTOCOL_VERSION,
      id: newMessageId(),
      kind,
      channel: this.sender.channel,
      from: this.sender.instanceId,
      session: this.sender.session,
      at: Date.now(),
      body,
    } as ClusterMessageOf<K>;
  }

  send<K extends ClusterMessageKind>(to: string | null, kind: K, body: ClusterMessageOf<K>['body']): Promise<void> {
    return this.transport.send(to, this.signer.seal(this.message(kind, body) as ClusterMessage));
  }

  /** Heartbeats and courtesy answers: a failure already marks the link lost; nothing else to do. */
  sendQuietly<K extends ClusterMessageKind>(to: string | null, kind: K, body: ClusterMessageOf<K>['body']): void {
    this.send(to, kind, body).catch(() => undefined);
  }

  /**
   * Publishes a broadcast, waiting no longer than `limitMs` (the ack timeout): a broker that
   * hangs (stopped, half-open) never completes a publish, and the caller's answer must still
   * come in time. Past it the link is abandoned (it reconnects by itself) and this throws
   * `ClusterUnavailableError`, so the caller does not reset itself for a broadcast that may
   * never have left.
   */
  async broadcastWithin(message: ClusterMessage, label: string, limitMs: number): Promise<void> {
    const sent = this.transport.send(null, this.signer.seal(message), label);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), limitMs)));
    try {
      if ((await Promise.race([sent.then(() => 'sent' as const), timedOut])) === 'sent') return;
    } finally {
      clearTimeout(timer);
    }
    sent.catch(() => undefined);
    const reason = `the broker did not take the broadcast within ackTimeout (${limitMs} ms)`;
    this.transport.abandon(reason);
    throw new ClusterUnavailableError(label, this.transport.transportName, reason);
  }
}
