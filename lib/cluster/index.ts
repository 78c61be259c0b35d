// `nestjs-connections/cluster`: cluster-wide resets over Redis or NATS (their clients are optional peers).
// `ConnectionsModule.forRoot({ cluster })` turns it on; this entry point has its types and errors.
export { ClusterCoordinator } from './cluster.coordinator.js';
export { ClusterUnavailableError, ClusterInstanceIdConflictError } from '../errors/cluster.errors.js';
export type {
  ClusterOptions,
  ClusterTransportOption,
  RedisClusterTransportOptions,
  NatsClusterTransportOptions,
  ClusterResetOptions,
  ClusterResetResult,
  ClusterReply,
  ClusterMember,
  ClusterStatus,
  ClusterState,
  ClusterEvent,
  ClusterDropReason,
} from '../interfaces/cluster.interfaces.js';
