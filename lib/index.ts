export { BaseConnection } from './base-connection.js';
export { Connection } from './connection.decorator.js';
export { InjectConnection } from './inject-connection.decorator.js';
export { getConnectionToken } from './connections.tokens.js';
export { ConnectionsModule } from './connections.module.js';
export type { ConnectionsForRootOptions, ConnectionsForRootAsyncOptions } from './connections.module-definition.js';
export { ConnectionRegistry } from './connection-registry.js';
export {
  ConnectionsError,
  ConnectError,
  ConnectionConfigError,
  ConnectionClosedError,
  UnknownConnectionError,
  CircuitOpenError,
} from './connection.errors.js';
export { CONNECTIONS_MODULE_OPTIONS, RESERVED_CONNECTION_NAMES } from './connections.constants.js';
export * from './interfaces/index.js';
// Operations: admin API, health (for @nestjs/terminus, loaded lazily), telemetry (@opentelemetry/api, loaded lazily)
export { ConnectionsAdminModule } from './admin/connections-admin.module.js';
export { CONNECTIONS_ADMIN_OPTIONS } from './admin/connections-admin.constants.js';
export type { ConnectionsAdminOptions, AdminTokenSource } from './admin/connections-admin-options.interface.js';
export { ConnectionsHealthIndicator } from './health/connections.health-indicator.js';
export { ConnectionsHealthModule } from './health/connections-health.module.js';
export type {
  ConnectionPingResult,
  ConnectionsHealthReport,
  ConnectionPingCheckOptions,
  ConnectionHealthIndicatorResult,
} from './health/connections-health.interfaces.js';
export { ConnectionsTelemetry } from './telemetry/connections.telemetry.js';
export { ConnectionsTelemetryModule } from './telemetry/connections-telemetry.module.js';
export { TELEMETRY_NAMES } from './telemetry/connections-telemetry.constants.js';
export type { ConnectionsTelemetryOptions } from './telemetry/connections-telemetry-options.interface.js';
// Built-in connections: 'sql' (knex) and 'redis' (ioredis); their drivers are optional peers, loaded on first connect
export { SqlConnection } from './sql/sql.connection.js';
export { SqlQueryError } from './sql/sql-query.error.js';
export type { SqlConnectionOptions, SqlQueryOptions } from './sql/sql-connection-options.interface.js';
export { RedisConnection } from './redis/redis.connection.js';
export type { RedisConnectionOptions } from './redis/redis-connection-options.interface.js';
export { MissingPeerError } from './utils/load-peer.util.js';
export { OptionKeyError } from './utils/option-key.error.js';
// Many replicas: cluster-wide resets over Redis or NATS (the transports' packages are optional peers)
export { ClusterCoordinator } from './cluster/cluster.coordinator.js';
export { ClusterUnavailableError, ClusterInstanceIdConflictError } from './cluster/cluster.errors.js';
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
} from './cluster/cluster.interfaces.js';
