// `nestjs-connections/otel`: spans and metrics through @opentelemetry/api (an optional peer, loaded lazily).
export { ConnectionsTelemetry } from './connections.telemetry.js';
export { ConnectionsTelemetryModule } from './connections-telemetry.module.js';
export { TELEMETRY_NAMES, POOL_METRIC_ATTRIBUTES } from './connections-telemetry.constants.js';
export type { ConnectionsTelemetryOptions } from './connections-telemetry-options.interface.js';
