import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { Subject, type Observable } from 'rxjs';
import { BaseConnection } from '../core/base-connection.js';
import type { ClusterCoordinator } from '../cluster/cluster.coordinator.js';
import type { ClusterResetOptions, ClusterResetResult } from '../interfaces/cluster.interfaces.js';
import { kAbandon, kBinding, kClose, kKeys } from '../core/connection.symbols.js';
import { isDecoratedConnection } from '../core/connection.decorator.js';
import { ConnectionConfigError, ConnectionKeyError } from '../errors/connection.errors.js';
import { specOfClass } from '../config/build-specs.js';
import { applySchemas } from '../config/apply-schema.js';
import type { ConnectionSpec } from '../config/connection-spec.js';
import type { LoadedConfig } from './load-config.js';
import { resolveBinding } from '../config/resolve-binding.js';
import { SecretsReloader } from './secrets-reload.js';
import type { ConnectionEvent } from '../interfaces/connection-event.interface.js';
import type { ConnectionInfo } from '../interfaces/connection-info.interface.js';
import type { ConnectionKeysPage } from '../interfaces/keyed-options.interface.js';
import type { ConnectionClass } from '../core/connections-module-options.interface.js';
import type { ResetOptions, ResetResult } from '../interfaces/reset-result.interface.js';
import type { ConnectionCatalog } from './connection-catalog.js';
export type { InjectedClass } from './connection-table.js';
import { overrideInfo, overrideReset } from './connection-overrides.js';
import { ConnectionTable, type InjectedClass } from './connection-table.js';
import { deadline, type Deadline } from '../utils/deadline.util.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyConnection = BaseConnection<any, any>;

/**
 * Every connection of the application, by name. Injectable anywhere once
 * `ConnectionsModule.forRoot()` is imported.
 *
 * It binds each connection to its merged options at bootstrap (so configuration errors fail
 * bootstrap, S4), connects the eager ones (L1), applies secrets reloads (S3) and closes every
 * connection on application shutdown (D1).
 */
@Injectable()
export class ConnectionRegistry
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  readonly #events = new Subject<ConnectionEvent>();
  readonly #logger = new Logger('Connections');
  readonly #connections = new ConnectionTable(this.#logger, () => this.#bindingContext());
  readonly #reloader = new SecretsReloader({
    // A test double (an override) takes no secrets.
    registered: () => this.#managed(),
    getConfig: () => this.#config,
    setConfig: (config) => (this.#config = config),
    bindingOf: (spec, config) => applySchemas(spec, this.#bindingOf(spec, config)),
    logger: this.#logger,
  });
  #shutdownDeadline: Deadline | null = null;
  #cluster: ClusterCoordinator | null = null;
  #config: LoadedConfig;

  /** Events of every connection (E1). */
  readonly events$: Observable<ConnectionEvent> = this.#events.asObservable();

  constructor(
    config: LoadedConfig,
    private readonly discovery: DiscoveryService | null,
  ) {
    this.#config = config;
  }

  /** @internal See ConnectionTable.register. */
  init(classes: InjectedClass[], catalog: ConnectionCatalog, declaredTokens: ReadonlyMap<string, unknown>): Promise<void> {
    return this.#connections.register(classes, catalog, declaredTokens);
  }

  /**
   * @internal A `forFeature()` class. When the same class is already registered under its name
   * (listed in `forRoot` too, or in two feature modules), that one connection is shared;
   * otherwise `create` instantiates it in the feature module, with that module's providers.
   */
  attachFeature(cls: ConnectionClass, create: () => Promise<AnyConnection>): Promise<AnyConnection> {
    return this.#connections.attachFeature(cls, create);
  }

  /** @internal See ConnectionTable.settleFeature. */
  settleFeature(cls: ConnectionClass, value: unknown, nameValue: unknown): Promise<void> {
    return this.#connections.settleFeature(cls, value, nameValue);
  }

  /** The connection registered under `name`; `UnknownConnectionError` (listing the known names) otherwise. */
  get<T extends AnyConnection = AnyConnection>(name: string): T {
    return this.#connections.entry(name).value as T;
  }

  /** `info()` of one connection (an override value that is not a `BaseConnection` gets a minimal one, type `override`). */
  info(name: string): ConnectionInfo {
    const { connection, spec } = this.#connections.entry(name);
    return connection ? connection.info() : overrideInfo(spec.name);
  }


  has(name: string): boolean {
    return this.#connections.has(name);
  }

  names(): string[] {
    return this.#connections.names();
  }

  /** A snapshot of every connection. */
  list(): ConnectionInfo[] {
    return [...this.#connections.values()].map(({ connection, spec }) => (connection ? connection.info() : overrideInfo(spec.name)));
  }

  /**
   * A page of a keyed connection's live keys, most recently used first (admin
   * `GET .../:name/keys?limit=&after=`). `limit` from 1 to 1000 (default 100).
   */
  keys(name: string, opts: { limit?: number; after?: string } = {}): ConnectionKeysPage {
    const keys = this.#connections.entry(name).connection?.[kKeys](); // null for a plain override value
    if (!keys) throw new ConnectionKeyError(name, 'is not keyed: it has no keys to list');
    const limit = opts.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new ConnectionConfigError(name, 'limit', 'must be a whole number from 1 to 1000');
    }
    return keys.page(limit, opts.after);
  }

  /**
   * Resets one connection on this replica (with `key`, one key of a keyed connection); with `{ scope: 'cluster', targets? }` (and
   * `forRoot({ cluster })`), on every replica: one answer per replica that answered within
   * `ackTimeout`, and the live ones that did not.
   */
  reset(name: string, opts: ClusterResetOptions): Promise<ClusterResetResult>;
  reset(name: string, opts?: ResetOptions & { scope?: 'local' }): Promise<ResetResult>;
  async reset(name: string, opts?: ResetOptions & { scope?: string }): Promise<ResetResult | ClusterResetResult> {
    if (opts?.scope === 'cluster') return this.#clusterFor(name).reset(name, opts as ClusterResetOptions);
    const { connection, spec } = this.#connections.entry(name);
    return connection ? connection.reset(opts) : overrideReset(spec.name);
  }

  /** Resets every connection; one result each, in registration order. With `scope: 'cluster'`, on every replica. */
  resetAll(opts: ClusterResetOptions): Promise<ClusterResetResult<ResetResult[]>>;
  resetAll(opts?: ResetOptions & { scope?: 'local' }): Promise<ResetResult[]>;
  resetAll(opts?: ResetOptions & { scope?: string }): Promise<ResetResult[] | ClusterResetResult<ResetResult[]>> {
    if (opts?.scope === 'cluster') return this.#clusterFor('*').reset(null, opts as ClusterResetOptions);
    return Promise.all(
      [...this.#connections.values()].map(({ connection, spec }) => (connection ? connection.reset(opts) : overrideReset(spec.name))),
    );
  }

  /** The cluster coordinator (membership, status, cluster resets), or null without `forRoot({ cluster })`. */
  get cluster(): ClusterCoordinator | null {
    return this.#cluster;
  }

  /** @internal Called by the cluster provider; the registry starts it at bootstrap and stops it at shutdown. */
  attachCluster(coordinator: ClusterCoordinator): void {
    this.#cluster = coordinator;
  }

  #clusterFor(name: string): ClusterCoordinator {
    if (this.#cluster) return this.#cluster;
    throw new ConnectionConfigError(name, 'scope', 'scope "cluster" needs ConnectionsModule.forRoot({ cluster: { transport, ... } })');
  }

  /**
   * Rereads the secrets files and resets exactly the connections whose merged options (or
   * policies) changed (S3); see `SecretsReloader` (lib/module/secrets-reload.ts).
   */
  reloadSecrets(): Promise<string[]> {
    return this.#reloader.reload();
  }


  async onModuleInit(): Promise<void> {
    // Decorated connections that a module lists as plain providers (without forFeature) are
    // found here and registered too, so every @Connection() class in the app is managed
    // (except an instance an override replaced).
    for (const wrapper of this.discovery?.getProviders() ?? []) {
      const { instance, metatype } = wrapper;
      if (instance instanceof BaseConnection && !instance[kBinding] && !this.#connections.isReplaced(instance) && isDecoratedConnection(metatype)) {
        await this.#connections.attach(specOfClass(metatype), instance);
      }
    }
    // Every connection is registered by now: `options` for a name that none has is a typo (S4).
    for (const name of Object.keys(this.#config.options.options ?? {})) {
      if (!this.#connections.has(name)) {
        throw new ConnectionConfigError(
          name,
          'options',
          `ConnectionsModule options name a connection that is not registered; known connections: ${this.names().join(', ') || '(none)'}`,
        );
      }
    }
  }

  /** L1: eager connections connect now; one that fails fails bootstrap with its `ConnectError`. */
  async onApplicationBootstrap(): Promise<void> {
    const eager = [...this.#connections.values()].filter(({ connection }) => connection?.[kBinding]!.policy.eager);
    await Promise.all(eager.map(({ connection }) => connection!.resolve()));
    this.#reloader.start();
    // Last: a replica joins the cluster once its connections are registered (and refuses to
    // start when a live replica holds its instance id).
    await this.#cluster?.start();
  }

  /**
   * The shutdown deadline starts when the app begins to close, before its HTTP server stops:
   * a request stuck on a connect over a half-open network path would otherwise keep the server
   * (and so the process) up past the orchestrator's grace period.
   */
  beforeApplicationShutdown(): void {
    this.#shutdownDeadline ??= deadline(this.#config.shutdownTimeoutMs);
    void this.#shutdownDeadline.expired.then(() => {
      for (const { connection } of this.#connections.values()) connection?.[kAbandon]();
    });
  }

  /** D1: every connection drains and is disposed once; later `resolve()` calls reject. Bounded by `shutdownTimeout`. */
  async onApplicationShutdown(): Promise<void> {
    this.#reloader.stop();
    const limit = (this.#shutdownDeadline ??= deadline(this.#config.shutdownTimeoutMs));
    const closing = (async () => {
      // First: say "bye", so the other replicas do not wait for this one's answers.
      await this.#cluster?.stop();
      // An override value that is not a BaseConnection belongs to the test: it is left alone.
      await Promise.all([...this.#connections.values()].map(({ connection }) => connection?.[kClose]()));
    })();
    const finished = await Promise.race([closing.then(() => true), limit.expired.then(() => false)]);
    limit.cancel();
    if (!finished) {
      for (const { connection } of this.#connections.values()) connection?.[kAbandon]();
      const open = [...this.#connections.values()].filter(({ connection }) => connection && connection.state !== 'closed').length;
      this.#logger.warn(
        `Shutdown took longer than shutdownTimeout (${this.#config.shutdownTimeoutMs} ms): connects and disposals still in flight were abandoned (${open} connection(s) not closed)`,
      );
    }
    this.#events.complete();
  }

  #bindingOf(spec: ConnectionSpec, config: LoadedConfig) {
    return resolveBinding(spec, this.#bindingContext(config));
  }

  #bindingContext(config: LoadedConfig = this.#config) {
    return {
      defaults: config.options.defaults,
      sections: config.sections,
      env: config.env,
      moduleOptions: config.options.options,
      sink: this.#events,
      logger: this.#logger,
      origins: config.snapshot?.origins,
      status: config.status,
    };
  }

  /** The connections the registry manages itself (not a test's override values). */
  *#managed(): Iterable<{ connection: AnyConnection; spec: ConnectionSpec }> {
    for (const { connection, spec, override } of this.#connections.values()) if (connection && !override) yield { connection, spec };
  }
}
