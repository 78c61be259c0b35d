/** Injection token of the options given to `ConnectionsTelemetryModule.forRoot()`. */
export const CONNECTIONS_TELEMETRY_OPTIONS = Symbol('nestjs-connections:telemetry-options');

/** Instrumentation scope of the spans and metrics. */
export const TELEMETRY_SCOPE = 'nestjs-connections';

/** Names of what is recorded; attributes are `connection.name`, `connection.generation`, ... */
export const TELEMETRY_NAMES = {
  connectSpan: 'connection.connect',
  resetSpan: 'connection.reset',
  disposeSpan: 'connection.dispose',
  connects: 'connections.connects',
  failures: 'connections.connect_failures',
  resets: 'connections.resets',
  connectDuration: 'connections.connect.duration',
  /** OpenTelemetry database semantic conventions: pool metrics. */
  poolConnections: 'db.client.connection.count',
  poolPendingRequests: 'db.client.connection.pending_requests',
  poolMax: 'db.client.connection.max',
} as const;

/** Attributes of the pool metrics, as the OpenTelemetry database semantic conventions name them. */
export const POOL_METRIC_ATTRIBUTES = {
  state: 'db.client.connection.state',
  poolName: 'db.client.connection.pool.name',
} as const;
