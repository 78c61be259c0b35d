import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { afterAll, afterEach, expect, it } from 'vitest';
import { BaseConnection, Connection, type ConnectionPoolInfo } from 'nestjs-connections';
import { ConnectionsTelemetryModule, POOL_METRIC_ATTRIBUTES, TELEMETRY_NAMES } from 'nestjs-connections/otel';
import type { SqlConnection } from 'nestjs-connections/sql';
import type { RedisConnection } from 'nestjs-connections/redis';
import { bootApp } from '../support/app.js';
import { describeWithServices, SERVICES } from '../support/services.js';
import { until } from '../support/until.js';

class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** No pool: `info().pool` stays absent, and no pool metric is reported for it. */
@Connection({ name: 'plain' })
class PlainConnection extends BaseConnection<object> {
  protected override _connect(): object {
    return {};
  }
}

const reader = new CollectingReader();
const meterProvider = new MeterProvider({ readers: [reader] });
afterAll(() => meterProvider.shutdown());

let app: INestApplicationContext | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** The pool points of one metric for one connection, by their state attribute (or `value` without one). */
async function poolPoints(metric: string, pool: string): Promise<Record<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const found = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === metric);
  const out: Record<string, number> = {};
  for (const point of (found?.dataPoints ?? []) as Array<DataPoint<number>>) {
    if (point.attributes[POOL_METRIC_ATTRIBUTES.poolName] !== pool) continue;
    out[String(point.attributes[POOL_METRIC_ATTRIBUTES.state] ?? 'value')] = point.value;
  }
  return out;
}

const { host, port } = SERVICES.postgres;
const suffix = randomBytes(4).toString('hex');

await describeWithServices(['postgres'], 'PM1 pool metrics of SqlConnection (knex/tarn) against a real PostgreSQL', () => {
  it('PM1 pool max 2 and 10 concurrent slow queries: info().pool and the OTel metrics say used 2, waiting 8', async () => {
    const booted = await bootApp(
      {
        connections: [
          { name: 'ops-pool', type: 'sql', options: { url: `postgresql://postgres@${host}:${port}/test?application_name=ops_pool_${suffix}`, pool: { min: 0, max: 2 } } },
          PlainConnection,
        ],
      },
      { imports: [ConnectionsTelemetryModule.forRoot({ meterProvider, traces: false })] },
    );
    app = booted.app;
    const sql = booted.registry.get<SqlConnection>('ops-pool');
    const plain = booted.registry.get('plain');
    await plain.resolve();
    expect(sql.info().pool).toBeUndefined(); // idle: no instance, no pool
    expect(plain.info().pool).toBeUndefined(); // connected, but no pool

    await sql.resolve();
    expect(sql.info().pool).toEqual({ used: 0, idle: 1, waiting: 0, max: 2 } satisfies ConnectionPoolInfo);

    const queries = Array.from({ length: 10 }, () => sql.query('select pg_sleep(0.6)'));
    const busy = await until(() => {
      const pool = sql.info().pool!;
      return pool.used === 2 && pool.waiting >= 8 && pool;
    }, '2 used and 8 waiting');
    expect(busy).toMatchObject({ used: 2, waiting: 8, max: 2 });

    expect(await poolPoints(TELEMETRY_NAMES.poolConnections, 'ops-pool')).toMatchObject({ used: 2 });
    expect((await poolPoints(TELEMETRY_NAMES.poolPendingRequests, 'ops-pool')).value).toBeGreaterThanOrEqual(6); // queries move on meanwhile
    expect(await poolPoints(TELEMETRY_NAMES.poolMax, 'ops-pool')).toEqual({ value: 2 });
    expect(await poolPoints(TELEMETRY_NAMES.poolConnections, 'plain')).toEqual({});

    await Promise.all(queries);
    const after = sql.info().pool!;
    expect(after).toMatchObject({ used: 0, waiting: 0, max: 2 });
    expect(after.idle).toBe(2);
    expect(await poolPoints(TELEMETRY_NAMES.poolConnections, 'ops-pool')).toEqual({ used: 0, idle: 2 });
    expect(await poolPoints(TELEMETRY_NAMES.poolPendingRequests, 'ops-pool')).toEqual({ value: 0 });
  });
});

await describeWithServices(['redis'], 'PM2 Redis link state in info().pool', () => {
  it('PM2 RedisConnection reports its ioredis status, one socket (max 1), commands in flight as used', async () => {
    const booted = await bootApp({ connections: [{ name: 'ops-redis', type: 'redis', options: { url: `redis://127.0.0.1:${SERVICES.redis.port}` } }] });
    app = booted.app;
    const redis = booted.registry.get<RedisConnection>('ops-redis');
    await redis.resolve();
    expect(redis.info().pool).toEqual({ used: 0, idle: 1, waiting: 0, max: 1, status: 'ready' });
    const blocked = redis.use((client) => client.call('DEBUG', 'SLEEP', '0.3').catch(() => client.ping()));
    const during = redis.info().pool!;
    expect(during).toMatchObject({ used: 1, idle: 0, status: 'ready' });
    await blocked;
  });
});
