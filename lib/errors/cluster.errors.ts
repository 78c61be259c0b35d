import { ConnectionsError } from './connection.errors.js';

/**
 * The cluster transport cannot reach its broker, so a cluster reset was not broadcast. It is
 * thrown at once (no waiting for `ackTimeout`); local resets keep working, and the transport
 * reconnects by itself.
 */
export class ClusterUnavailableError extends ConnectionsError {
  constructor(
    connectionName: string,
    /** `redis` or `nats`. */
    readonly transport: string,
    reason: string | null,
  ) {
    super(
      connectionName,
      `Cluster transport "${transport}" is unavailable${reason ? ` (${reason})` : ''}: the reset was not broadcast. ` +
        'A local reset (without scope "cluster") still works; the transport reconnects by itself.',
    );
  }
}

/** Another live replica already holds this replica's instance id: this one refuses to start. */
export class ClusterInstanceIdConflictError extends ConnectionsError {
  constructor(
    readonly instanceId: string,
    transport: string,
    channel: string,
  ) {
    super(
      '*',
      `Cluster instance id "${instanceId}" is already held by a live replica on ${transport} channel "${channel}": ` +
        'give each replica its own cluster.instanceId (or leave it unset for a generated one).',
    );
  }
}
