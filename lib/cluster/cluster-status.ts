import type { ClusterDropReason, ClusterMember, ClusterState, ClusterStatus } from '../interfaces/cluster.interfaces.js';
import type { ClusterSettings } from './cluster-options.js';
import type { ClusterTransport } from './cluster-transport.js';

/** What a replica knows about itself and the others at one moment. */
export interface ClusterStatusSnapshot {
  instanceId: string;
  settings: ClusterSettings;
  transport: ClusterTransport<unknown>;
  signed: boolean;
  state: ClusterState;
  startedAt: number;
  /** When our own heartbeat last came back through the broker (0: not yet). */
  lastSelfSeen: number;
  /** The other live replicas. */
  members: ClusterMember[];
  dropped: Record<ClusterDropReason, number>;
  lastError: string | null;
}

/** `registry.cluster.status()`: the live replicas (this one included, sorted by id) and the link. */
export function statusOf(s: ClusterStatusSnapshot): ClusterStatus {
  const self: ClusterMember = {
    instanceId: s.instanceId,
    version: s.settings.version,
    startedAt: new Date(s.startedAt).toISOString(),
    lastSeen: new Date(s.lastSelfSeen || s.startedAt).toISOString(),
    self: true,
  };
  return {
    instanceId: s.instanceId,
    transport: s.transport.transportName,
    channel: s.settings.channel,
    state: s.state,
    version: s.settings.version,
    signed: s.signed,
    ackTimeoutMs: s.settings.ackTimeoutMs,
    heartbeatMs: s.settings.heartbeatMs,
    members: [...s.members, self].toSorted((a, b) => a.instanceId.localeCompare(b.instanceId)),
    dropped: { ...s.dropped },
    link: s.transport.info(),
    lastError: s.lastError,
  };
}
