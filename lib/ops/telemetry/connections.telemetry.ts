import { Inject, Injectable, Logger, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
// Types only: erased from the compiled JavaScript, so the package loads without OpenTelemetry.
import type { Attributes, Counter, Histogram, Meter, MeterProvider, Tracer, TracerProvider } from '@opentelemetry/api';
import type { Subscription } from 'rxjs';
import { ConnectionRegistry } from '../../module/connections.registry.js';
import type { ConnectionEvent } from '../../interfaces/connection-event.interface.js';
import { CONNECTIONS_TELEMETRY_OPTIONS, TELEMETRY_NAMES, TELEMETRY_SCOPE } from './connections-telemetry.constants.js';
import type { ConnectionsTelemetryOptions } from './connections-telemetry-options.interface.js';
import { ConnectionPoolMetrics } from './connection-pool.metrics.js';

type OpenTelemetryApi = typeof import('@opentelemetry/api');

interface Instruments {
  api: OpenTelemetryApi;
  tracer: Tracer | null;
  connects: Counter | null;
  failures: Counter | null;
  resets: Counter | null;
  connectDuration: Histogram | null;
}

/** `@opentelemetry/api` when installed, else null: telemetry is optional. */
async function loadOpenTelemetry(): Promise<OpenTelemetryApi | null> {
  try {
    return await import('@opentelemetry/api');
  } catch {
    return null;
  }
}

/**
 * Connection telemetry through `@opentelemetry/api`, derived from `registry.events$`:
 *
 * - a span `connection.connect` per `_connect` call (from `connecting` to `connected` or
 *   `connect-failed`, error status with the masked message), a span `connection.reset` per
 *   reset or expiry, and a span `connection.dispose` per disposed instance; each with
 *   `connection.name` and `connection.generation`;
 * - counters `connections.connects`, `connections.connect_failures`, `connections.resets`
 *   and a histogram `connections.connect.duration` (ms);
 * - the pool metrics of the database semantic conventions (`ConnectionPoolMetrics`).
 *
 * Spans are recorded when the event that closes them arrives, with the start time it
 * reports (`at - durationMs`): no state is kept between events, so a connect that never
 * ends leaks nothing. Without `@opentelemetry/api` installed this is a no-op (with a warning).
 */
@Injectable()
export class ConnectionsTelemetry implements OnModuleInit, OnModuleDestroy {
  readonly #logger = new Logger('ConnectionsTelemetry');
  #subscription: Subscription | null = null;
  #instruments: Instruments | null = null;
  #poolMetrics: ConnectionPoolMetrics | null = null;

  constructor(
    @Inject(ConnectionRegistry) private readonly registry: ConnectionRegistry,
    @Optional() @Inject(CONNECTIONS_TELEMETRY_OPTIONS) private readonly options: ConnectionsTelemetryOptions | null,
  ) {}

  /** Whether `@opentelemetry/api` was found and events are being recorded. */
  get enabled(): boolean {
    return this.#instruments !== null;
  }

  async onModuleInit(): Promise<void> {
    const api = await loadOpenTelemetry();
    if (!api) {
      this.#logger.warn('Connection telemetry is off: the optional peer "@opentelemetry/api" is not installed (npm install @opentelemetry/api)');
      return;
    }
    const options = this.options ?? {};
    const tracerProvider = (options.tracerProvider ?? api.trace) as TracerProvider;
    const meterProvider = (options.meterProvider ?? api.metrics) as MeterProvider;
    const meter: Meter | null = options.metrics === false ? null : meterProvider.getMeter(TELEMETRY_SCOPE);
    this.#instruments = {
      api,
      tracer: options.traces === false ? null : tracerProvider.getTracer(TELEMETRY_SCOPE),
      connects: meter?.createCounter(TELEMETRY_NAMES.connects, { description: 'Successful connects' }) ?? null,
      failures: meter?.createCounter(TELEMETRY_NAMES.failures, { description: 'Failed connect attempts' }) ?? null,
      resets: meter?.createCounter(TELEMETRY_NAMES.resets, { description: 'Resets and expiries that took an instance out of service' }) ?? null,
      connectDuration:
        meter?.createHistogram(TELEMETRY_NAMES.connectDuration, { description: 'Duration of connect attempts', unit: 'ms' }) ?? null,
    };
    if (meter) this.#poolMetrics = new ConnectionPoolMetrics(meter, this.registry);
    this.#subscription = this.registry.events$.subscribe((event) => this.#record(event));
  }

  onModuleDestroy(): void {
    this.#poolMetrics?.stop();
    this.#poolMetrics = null;
    this.#subscription?.unsubscribe();
    this.#subscription = null;
  }

  #record(event: ConnectionEvent): void {
    const instruments = this.#instruments;
    if (!instruments) return;
    try {
      this.#recordWith(instruments, event);
    } catch (err) {
      // Telemetry must never break the application it observes.
      this.#logger.warn(`Could not record ${event.type} of "${event.name}": ${(err as Error).message}`);
    }
  }

  #recordWith(instruments: Instruments, event: ConnectionEvent): void {
    const { api, tracer } = instruments;
    const metricAttributes: Attributes = { 'connection.name': event.name };
    switch (event.type) {
      case 'connected':
      case 'connect-failed': {
        const ok = event.type === 'connected';
        const durationMs = event.durationMs ?? 0;
        (ok ? instruments.connects : instruments.failures)?.add(1, metricAttributes);
        instruments.connectDuration?.record(durationMs, { ...metricAttributes, 'connection.outcome': ok ? 'success' : 'failure' });
        this.#span(tracer, TELEMETRY_NAMES.connectSpan, event, durationMs, (span) => {
          if (ok) span.setStatus({ code: api.SpanStatusCode.OK });
          else span.setStatus({ code: api.SpanStatusCode.ERROR, message: event.error ?? 'connect failed' });
        });
        break;
      }
      case 'reset':
      case 'expired':
        instruments.resets?.add(1, { ...metricAttributes, 'connection.reset.reason': event.type });
        this.#span(tracer, TELEMETRY_NAMES.resetSpan, event, 0, (span) => span.setAttribute('connection.reset.reason', event.type));
        break;
      case 'disposed':
        this.#span(tracer, TELEMETRY_NAMES.disposeSpan, event, event.durationMs ?? 0, (span) => {
          if (event.error) span.setStatus({ code: api.SpanStatusCode.ERROR, message: event.error });
        });
        break;
      default:
        break;
    }
  }

  /** A span that ended at `event.at` and lasted `durationMs`. */
  #span(
    tracer: Tracer | null,
    name: string,
    event: ConnectionEvent,
    durationMs: number,
    decorate: (span: ReturnType<Tracer['startSpan']>) => void,
  ): void {
    if (!tracer) return;
    const endTime = Date.parse(event.at);
    const span = tracer.startSpan(name, {
      startTime: endTime - durationMs,
      attributes: { 'connection.name': event.name, 'connection.generation': event.generation },
    });
    decorate(span);
    span.end(endTime);
  }
}
