import type { INestApplicationContext } from '@nestjs/common';
import { metrics, SpanStatusCode, trace } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { filter, firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BaseConnection, Connection, type ConnectionEvent } from 'nestjs-connections';
import { ConnectionsTelemetry, ConnectionsTelemetryModule, TELEMETRY_NAMES } from 'nestjs-connections/otel';
import { bootApp } from '../support/app.js';
import { AutoConnection, ControlledBase } from '../support/controlled-connection.js';

const PASSWORD = 'Otel-Secret-Pw-42';

/** A reader the test collects from on demand. */
class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** Fails every connect with an error quoting its password. */
@Connection({ name: 'refusing', options: { password: PASSWORD } })
class RefusingConnection extends BaseConnection<object, { password: string }> {
  protected override _connect(options: { password: string }): object {
    throw new Error(`password ${options.password} rejected`);
  }
}

@Connection({ name: 'short-lived', ttl: '1h' })
class ShortLivedConnection extends ControlledBase {
  override auto = true;
}

const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const reader = new CollectingReader();
const meterProvider = new MeterProvider({ readers: [reader] });

beforeAll(() => {
  // Registered globally, as an app's SDK setup does, before the module initialises.
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
});
afterAll(async () => {
  trace.disable();
  metrics.disable();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});

let app: INestApplicationContext | undefined;
beforeEach(() => exporter.reset());
afterEach(async () => {
  vi.useRealTimers();
  await app?.close();
  app = undefined;
});

async function boot(...classes: Array<new (...args: never[]) => BaseConnection>) {
  const booted = await bootApp({ connections: classes as never }, { imports: [ConnectionsTelemetryModule.forRoot()] });
  app = booted.app;
  expect(app.get(ConnectionsTelemetry).enabled).toBe(true);
  return booted;
}

function spans(name: string, connection?: string): ReadableSpan[] {
  return exporter
    .getFinishedSpans()
    .filter((span) => span.name === name && (connection === undefined || span.attributes['connection.name'] === connection));
}

async function metricPoints(name: string, connection: string): Promise<Array<DataPoint<number | Histogram>>> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .filter((scope) => scope.scope.name === 'nestjs-connections')
    .flatMap((scope) => scope.metrics)
    .find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []).filter((point) => point.attributes['connection.name'] === connection) as Array<
    DataPoint<number | Histogram>
  >;
}

const sum = (points: Array<DataPoint<number | Histogram>>) => points.reduce((total, p) => total + (p.value as number), 0);
const count = (points: Array<DataPoint<number | Histogram>>) => points.reduce((total, p) => total + (p.value as Histogram).count, 0);

describe('ConnectionsTelemetry', () => {
  it('records one connection.connect span per connect, with the connection name and generation', async () => {
    const { app: context } = await boot(AutoConnection);
    const conn = context.get(AutoConnection);
    await conn.resolve();
    await conn.resolve(); // no connect: no span
    expect(spans(TELEMETRY_NAMES.connectSpan)).toHaveLength(1);
    await conn.reset();
    await conn.resolve();
    const connects = spans(TELEMETRY_NAMES.connectSpan, 'auto');
    expect(connects.map((span) => span.attributes['connection.generation'])).toEqual([1, 2]);
    expect(connects.every((span) => span.status.code === SpanStatusCode.OK)).toBe(true);
    expect(connects[0].instrumentationScope.name).toBe('nestjs-connections');
  });

  it('records a failed connect as an error span whose message is masked', async () => {
    const { app: context } = await boot(RefusingConnection);
    await expect(context.get(RefusingConnection).resolve()).rejects.toThrow('failed to connect');
    const [span] = spans(TELEMETRY_NAMES.connectSpan, 'refusing');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'password *** rejected' });
    expect(span.attributes['connection.generation']).toBe(1);
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => [s.attributes, s.status, s.events]))).not.toContain(PASSWORD);
  });

  it('records a span per reset and per expiry, and per disposed instance', async () => {
    const { app: context } = await boot(ShortLivedConnection);
    const conn = context.get(ShortLivedConnection);
    await conn.resolve();
    const disposed = firstValueFrom(conn.events$.pipe(filter((e: ConnectionEvent) => e.type === 'disposed')));
    await conn.reset();
    await disposed;
    await conn.resolve(); // generation 2
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 2 * 60 * 60 * 1000); // past the 1h ttl
    await conn.resolve(); // expires generation 2, connects generation 3
    const resets = spans(TELEMETRY_NAMES.resetSpan, 'short-lived');
    expect(resets.map((span) => [span.attributes['connection.generation'], span.attributes['connection.reset.reason']])).toEqual([
      [1, 'reset'],
      [2, 'expired'],
    ]);
    expect(spans(TELEMETRY_NAMES.disposeSpan, 'short-lived')[0].attributes['connection.generation']).toBe(1);
  });

  it('counts connects, failures and resets, and records connect durations', async () => {
    const { app: context } = await boot(AutoConnection, RefusingConnection);
    const auto = context.get(AutoConnection);
    const before = {
      connects: await metricPoints(TELEMETRY_NAMES.connects, 'auto'),
      resets: await metricPoints(TELEMETRY_NAMES.resets, 'auto'),
    };
    const durationsBefore = count(await metricPoints(TELEMETRY_NAMES.connectDuration, 'auto'));
    const failuresBefore = sum(await metricPoints(TELEMETRY_NAMES.failures, 'refusing'));

    await auto.resolve();
    await auto.reset();
    await auto.resolve();
    await expect(context.get(RefusingConnection).resolve()).rejects.toThrow('failed to connect');

    expect(sum(await metricPoints(TELEMETRY_NAMES.connects, 'auto')) - sum(before.connects)).toBe(2);
    expect(sum(await metricPoints(TELEMETRY_NAMES.resets, 'auto')) - sum(before.resets)).toBe(1);
    expect(sum(await metricPoints(TELEMETRY_NAMES.failures, 'refusing')) - failuresBefore).toBe(1);
    expect(count(await metricPoints(TELEMETRY_NAMES.connectDuration, 'auto')) - durationsBefore).toBe(2);
    const refused = await metricPoints(TELEMETRY_NAMES.connectDuration, 'refusing');
    expect(refused.map((p) => p.attributes['connection.outcome'])).toEqual(['failure']);
  });

  it('uses the providers given to forRoot() instead of the global ones', async () => {
    const ownExporter = new InMemorySpanExporter();
    const ownTracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(ownExporter)] });
    const booted = await bootApp(
      { connections: [AutoConnection] },
      { imports: [ConnectionsTelemetryModule.forRoot({ tracerProvider: ownTracerProvider, metrics: false })] },
    );
    app = booted.app;
    await booted.app.get(AutoConnection).resolve();
    expect(ownExporter.getFinishedSpans().map((span) => span.name)).toEqual([TELEMETRY_NAMES.connectSpan]);
    expect(spans(TELEMETRY_NAMES.connectSpan)).toHaveLength(0);
    await ownTracerProvider.shutdown();
  });
});
