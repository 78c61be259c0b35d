/**
 * Options of `ConnectionsTelemetryModule.forRoot()`. The providers are typed structurally so
 * that the package's types never import `@opentelemetry/api`, an optional peer; pass the
 * SDK's `TracerProvider` / `MeterProvider` (or leave them out to use the global ones).
 */
export interface ConnectionsTelemetryOptions {
  /** Default: the global tracer provider (`trace.setGlobalTracerProvider`, or the SDK's `register()`). */
  tracerProvider?: { getTracer(name: string, version?: string): unknown };
  /** Default: the global meter provider, as it is when the module initialises. */
  meterProvider?: { getMeter(name: string, version?: string): unknown };
  /** Record spans. Default `true`. */
  traces?: boolean;
  /** Record metrics. Default `true`. */
  metrics?: boolean;
}
