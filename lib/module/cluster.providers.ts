import { Logger, type Provider } from '@nestjs/common';
import { kBind } from '../core/connection.symbols.js';
import { ConnectionRegistry } from './connections.registry.js';
import { CONNECTIONS_CONFIG } from '../core/connections.constants.js';
import type { ConnectionSpec } from '../config/connection-spec.js';
import type { LoadedConfig } from './load-config.js';
import { resolveBinding } from '../config/resolve-binding.js';
import type { ConnectionClass } from '../core/connections-module-options.interface.js';
import { ClusterCoordinator } from '../cluster/cluster.coordinator.js';
import { resolveClusterKey } from '../cluster/cluster-key.js';
import { ClusterMessageSigner } from '../cluster/cluster-message.signing.js';
import type { ClusterSettings } from '../cluster/cluster-options.js';
import type { ClusterTransport, ClusterTransportHooks } from '../cluster/cluster-transport.js';
import { NatsClusterTransport } from '../cluster/nats.cluster-transport.js';
import { RedisClusterTransport } from '../cluster/redis.cluster-transport.js';

/** Injection token of the cluster coordinator (`null` without `forRoot({ cluster })`). Also `registry.cluster`. */
export const CLUSTER_COORDINATOR = Symbol('nestjs-connections:cluster');

/** The provider `ConnectionsModule.forRoot()` adds: a coordinator when `cluster` is set, attached to the registry. */
export const clusterCoordinatorProvider: Provider = {
  provide: CLUSTER_COORDINATOR,
  useFactory: createClusterCoordinator,
  inject: [CONNECTIONS_CONFIG, ConnectionRegistry],
};

/**
 * Builds the coordinator: resolves the key (refusing to go on without one unless
 * `insecure`), creates the transport — a connection of this library, bound like any other
 * but kept out of the registry, so `resetAll()` never cuts the cluster's own link — and hands
 * the coordinator to the registry, which starts it at bootstrap and stops it at shutdown.
 */
export async function createClusterCoordinator(
  config: LoadedConfig,
  registry: ConnectionRegistry,
): Promise<ClusterCoordinator | null> {
  const settings = config.cluster;
  if (!settings) return null;
  const key = await resolveClusterKey(
    { option: config.options.cluster?.key, env: config.env, files: config.files },
    settings.insecure,
  );
  let coordinator: ClusterCoordinator | null = null;
  const hooks: ClusterTransportHooks = {
    message: (wire) => coordinator?.receive(wire),
    lost: (reason) => coordinator?.lost(reason),
  };
  const transport = createTransport(settings, hooks);
  coordinator = new ClusterCoordinator(settings, transport, new ClusterMessageSigner(key), registry);
  registry.attachCluster(coordinator);
  return coordinator;
}

function createTransport(settings: ClusterSettings, hooks: ClusterTransportHooks): ClusterTransport<unknown> {
  const address = { channel: settings.channel, instanceId: settings.instanceId };
  const { transport: spec } = settings;
  const transport: ClusterTransport<unknown> =
    spec.type === 'redis' ? new RedisClusterTransport(address, hooks) : new NatsClusterTransport(address, hooks);
  const options = spec.type === 'redis' ? { ...spec.options, url: spec.url } : { ...spec.options, servers: spec.servers };
  const connectionSpec: ConnectionSpec = {
    name: 'cluster',
    cls: transport.constructor as ConnectionClass,
    typeLabel: `cluster:${spec.type}`,
    decorator: {},
    // One try per connect: the coordinator's reconnect loop does the retrying, with backoff.
    declared: { policy: { connectTimeout: '5s', drainTimeout: '1s', retry: 1 }, options },
    origin: 'declaration',
  };
  transport[kBind](
    resolveBinding(connectionSpec, {
      defaults: undefined,
      sections: {},
      env: null,
      sink: null,
      logger: new QuietLogger('Connections:cluster'),
    }),
  );
  return transport;
}

/**
 * The link's logger. While the broker is down every reconnect try fails and the library logs
 * a warning for each; one line a minute (with the count of the others) says the same.
 */
class QuietLogger extends Logger {
  #lastWarn = -Infinity;
  #suppressed = 0;

  override warn(message: unknown, ...rest: unknown[]): void {
    const now = Date.now();
    if (now - this.#lastWarn < 60_000) {
      this.#suppressed++;
      return;
    }
    const suffix = this.#suppressed ? ` (${this.#suppressed} similar warnings in the last minute not shown)` : '';
    this.#lastWarn = now;
    this.#suppressed = 0;
    super.warn(`${String(message)}${suffix}`, ...rest);
  }
}
