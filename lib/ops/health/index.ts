// `nestjs-connections/terminus`: health indicators for @nestjs/terminus (an optional peer, loaded lazily).
export { ConnectionsHealthIndicator } from './connections.health-indicator.js';
export { ConnectionsHealthModule } from './connections-health.module.js';
export type {
  ConnectionPingResult,
  ConnectionsHealthReport,
  ConnectionPingCheckOptions,
  ConnectionHealthIndicatorResult,
  ConnectionHealthCheckOptions,
  ConnectionHealthMode,
  ConnectionHealthResult,
} from './connections-health.interfaces.js';
