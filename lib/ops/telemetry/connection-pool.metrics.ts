// Types only: erased from the compiled JavaScript, so the package loads without OpenTelemetry.
import type { BatchObservableCallback, Meter, ObservableUpDownCounter } from '@opentelemetry/api';
import type { ConnectionRegistry } from '../../module/connections.registry.js';
import { POOL_METRIC_ATTRIBUTES, TELEMETRY_NAMES } from './connections-telemetry.constants.js';

/**
 * The pool metrics of the OpenTelemetry database semantic conventions, observed from
 * `info().pool` of every connection at each collection (nothing is kept between collections):
 *
 * - `db.client.connection.count` `{connection}`, with `db.client.connection.state` = `used` | `idle`;
 * - `db.client.connection.pending_requests` `{request}`: requests waiting for a connection;
 * - `db.client.connection.max` `{connection}`: the pool's maximum (when it has one).
 *
 * Each point carries `db.client.connection.pool.name` (the connection's name) and
 * `connection.name`, like the package's other metrics. Connections without a pool report nothing.
 * They are UpDownCounters, as the conventions define them (asynchronous ones here).
 */
export class ConnectionPoolMetrics {
  readonly #count: ObservableUpDownCounter;
  readonly #pending: ObservableUpDownCounter;
  readonly #max: ObservableUpDownCounter;
  readonly #callback: BatchObservableCallback;

  constructor(
    private readonly meter: Meter,
    registry: ConnectionRegistry,
  ) {
    this.#count = meter.createObservableUpDownCounter(TELEMETRY_NAMES.poolConnections, {
      description: 'Connections in the pool, by state (used, idle)',
      unit: '{connection}',
    });
    this.#pending = meter.createObservableUpDownCounter(TELEMETRY_NAMES.poolPendingRequests, {
      description: 'Requests waiting for a connection of the pool',
      unit: '{request}',
    });
    this.#max = meter.createObservableUpDownCounter(TELEMETRY_NAMES.poolMax, {
      description: 'The maximum number of connections of the pool',
      unit: '{connection}',
    });
    this.#callback = (observer) => {
      for (const info of registry.list()) {
        const { pool } = info;
        if (!pool) continue;
        const attributes = { [POOL_METRIC_ATTRIBUTES.poolName]: info.name, 'connection.name': info.name };
        observer.observe(this.#count, pool.used, { ...attributes, [POOL_METRIC_ATTRIBUTES.state]: 'used' });
        observer.observe(this.#count, pool.idle, { ...attributes, [POOL_METRIC_ATTRIBUTES.state]: 'idle' });
        observer.observe(this.#pending, pool.waiting, attributes);
        if (pool.max !== null) observer.observe(this.#max, pool.max, attributes);
      }
    };
    meter.addBatchObservableCallback(this.#callback, [this.#count, this.#pending, this.#max]);
  }

  /** Stops observing (module destroy): the meter provider may outlive the app. */
  stop(): void {
    this.meter.removeBatchObservableCallback(this.#callback, [this.#count, this.#pending, this.#max]);
  }
}
