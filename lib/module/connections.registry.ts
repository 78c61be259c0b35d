import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { DiscoveryService, ModuleRef } from '@nestjs/core';
import { Subject, type Observable } from 'rxjs';
import { BaseConnection } from '../core/base-connection.js';
import type { ClusterCoordinator } from '../cluster/cluster.coordinator.js';
import type { ClusterResetOptions, ClusterResetResult } from '../interfaces/cluster.interfaces.js';
import { kAbandon, kBind, kBinding, kClose, kKeys } from '../core/connection.symbols.js';
import { isDecoratedConnection } from '../core/connection.decorator.js';
import { ConnectionConfigError, ConnectionKeyError, UnknownConnectionError } from '../errors/connection.errors.js';
import { CONNECTION_NAME_PATTERN, RESERVED_CONNECTION_NAMES } from '../core/connections.constants.js';
import { specOfClass, specOfEntry, specsFromSecrets } from '../config/build-specs.js';
import type { ConnectionSpec } from '../config/connection-spec.js';
import type { LoadedConfig } from './load-config.js';
import { resolveBinding } from '../config/resolve-binding.js';
import { SecretsReloader } from './secrets-reload.js';
import type { ConnectionEvent } from '../interfaces/connection-event.interface.js';
import type { ConnectionInfo } from '../interfaces/connection-info.interface.js';
import type { ConnectionKeysPage } from '../interfaces/keyed-options.interface.js';
import type { ConnectionClass, ConnectionEntry } from '../core/connections-module-options.interface.js';
import type { ResetOptions, ResetResult } from '../interfaces/reset-result.interface.js';
import { BUILT_IN_TYPES } from './built-in-types.js';
import { deadline, type Deadline } from '../utils/deadline.util.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyConnection = BaseConnection<any, any>;

/** Where Nest keeps a class's constructor and property dependencies (@nestjs/common's constants). */
const INJECTION_METADATA = ['design:paramtypes', 'self:paramtypes', 'self:properties_metadata'];

interface Registered {
  connection: AnyConnection;
  spec: ConnectionSpec;
}

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
  readonly #connections = new Map<string, Registered>();
  readonly #events = new Subject<ConnectionEvent>();
  readonly #logger = new Logger('Connections');
  readonly #reloader = new SecretsReloader({
    registered: () => this.#connections.values(),
    getConfig: () => this.#config,
    setConfig: (config) => (this.#config = config),
    bindingOf: (spec, config) => this.#bindingOf(spec, config),
    logger: this.#logger,
  });
  #shutdownDeadline: Deadline | null = null;
  #cluster: ClusterCoordinator | null = null;
  #config: LoadedConfig;
  /** Every type name a declaration may use: the built-ins, then the app's own `types` (which win). */
  readonly #types: Record<string, ConnectionClass>;

  /** Events of every connection (E1). */
  readonly events$: Observable<ConnectionEvent> = this.#events.asObservable();

  constructor(
    config: LoadedConfig,
    private readonly moduleRef: ModuleRef,
    private readonly discovery: DiscoveryService | null,
  ) {
    this.#config = config;
    this.#types = { ...BUILT_IN_TYPES, ...config.options.types };
  }

  /**
   * @internal Registers the statically listed classes (already instantiated by Nest) and the
   * declared and secrets-section connections (instantiated here).
   */
  async init(entries: ConnectionEntry[], instances: AnyConnection[]): Promise<void> {
    const { options, sections } = this.#config;
    if (!Array.isArray(entries)) {
      throw new ConnectionConfigError('*', 'connections', 'must be an array of connection classes and { name, type } declarations');
    }
    const classes = entries.filter((entry): entry is ConnectionClass => typeof entry === 'function');
    classes.forEach((cls, index) => this.#attach(specOfClass(cls), instances[index]));
    const declared = [...entries.filter((entry) => typeof entry !== 'function'), ...(options.connections ?? [])];
    for (const entry of declared) {
      const spec = specOfEntry(entry, this.#types);
      this.#checkName(spec); // before instantiating anything for it
      this.#attach(spec, await this.#instantiate(spec.cls));
    }
    if (options.fromSecrets) {
      for (const spec of specsFromSecrets(sections, new Set(this.#connections.keys()), this.#types)) {
        this.#attach(spec, await this.#instantiate(spec.cls));
      }
    }
  }

  /**
   * @internal A `forFeature()` class. When the same class is already registered under its name
   * (listed in `forRoot` too, or in two feature modules), that one connection is shared;
   * otherwise `create` instantiates it in the feature module, with that module's providers.
   */
  async attachFeature(cls: ConnectionClass, create: () => Promise<AnyConnection>): Promise<AnyConnection> {
    const spec = specOfClass(cls);
    const existing = this.#connections.get(spec.name);
    if (existing && existing.connection.constructor === cls) return existing.connection;
    this.#checkName(spec);
    const connection = await create();
    this.#attach(spec, connection);
    return connection;
  }

  /** The connection registered under `name`; `UnknownConnectionError` (listing the known names) otherwise. */
  get<T extends AnyConnection = AnyConnection>(name: string): T {
    const found = this.#connections.get(name);
    if (!found) throw new UnknownConnectionError(String(name), this.names());
    return found.connection as T;
  }

  has(name: string): boolean {
    return this.#connections.has(name);
  }

  names(): string[] {
    return [...this.#connections.keys()];
  }

  /** A snapshot of every connection. */
  list(): ConnectionInfo[] {
    return [...this.#connections.values()].map(({ connection }) => connection.info());
  }

  /**
   * A page of a keyed connection's live keys, most recently used first (admin
   * `GET .../:name/keys?limit=&after=`). `limit` from 1 to 1000 (default 100).
   */
  keys(name: string, opts: { limit?: number; after?: string } = {}): ConnectionKeysPage {
    const keys = this.get(name)[kKeys]();
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
    return this.get(name).reset(opts);
  }

  /** Resets every connection; one result each, in registration order. With `scope: 'cluster'`, on every replica. */
  resetAll(opts: ClusterResetOptions): Promise<ClusterResetResult<ResetResult[]>>;
  resetAll(opts?: ResetOptions & { scope?: 'local' }): Promise<ResetResult[]>;
  resetAll(opts?: ResetOptions & { scope?: string }): Promise<ResetResult[] | ClusterResetResult<ResetResult[]>> {
    if (opts?.scope === 'cluster') return this.#clusterFor('*').reset(null, opts as ClusterResetOptions);
    return Promise.all([...this.#connections.values()].map(({ connection }) => connection.reset(opts)));
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

  onModuleInit(): void {
    // Decorated connections that a module lists as plain providers (without forFeature) are
    // found here and registered too, so every @Connection() class in the app is managed.
    for (const wrapper of this.discovery?.getProviders() ?? []) {
      const { instance, metatype } = wrapper;
      if (instance instanceof BaseConnection && !instance[kBinding] && isDecoratedConnection(metatype)) {
        this.#attach(specOfClass(metatype), instance);
      }
    }
  }

  /** L1: eager connections connect now; one that fails fails bootstrap with its `ConnectError`. */
  async onApplicationBootstrap(): Promise<void> {
    const eager = [...this.#connections.values()].filter(({ connection }) => connection[kBinding]!.policy.eager);
    await Promise.all(eager.map(({ connection }) => connection.resolve()));
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
      for (const { connection } of this.#connections.values()) connection[kAbandon]();
    });
  }

  /** D1: every connection drains and is disposed once; later `resolve()` calls reject. Bounded by `shutdownTimeout`. */
  async onApplicationShutdown(): Promise<void> {
    this.#reloader.stop();
    const limit = (this.#shutdownDeadline ??= deadline(this.#config.shutdownTimeoutMs));
    const closing = (async () => {
      // First: say "bye", so the other replicas do not wait for this one's answers.
      await this.#cluster?.stop();
      await Promise.all([...this.#connections.values()].map(({ connection }) => connection[kClose]()));
    })();
    const finished = await Promise.race([closing.then(() => true), limit.expired.then(() => false)]);
    limit.cancel();
    if (!finished) {
      for (const { connection } of this.#connections.values()) connection[kAbandon]();
      const open = [...this.#connections.values()].filter(({ connection }) => connection.state !== 'closed').length;
      this.#logger.warn(
        `Shutdown took longer than shutdownTimeout (${this.#config.shutdownTimeoutMs} ms): connects and disposals still in flight were abandoned (${open} connection(s) not closed)`,
      );
    }
    this.#events.complete();
  }


  /**
   * A declared connection's instance. A class with dependencies goes through Nest's injector
   * (in this module's scope); one without (the built-in types, most authors' classes) is built
   * directly: the injector's per-call work is most of what a thousand declarations cost.
   */
  async #instantiate(cls: ConnectionClass): Promise<AnyConnection> {
    const injects = cls.length > 0 || INJECTION_METADATA.some((key) => (Reflect.getMetadata(key, cls) as unknown[] | undefined)?.length);
    return injects ? this.moduleRef.create(cls) : new cls();
  }

  #checkName(spec: ConnectionSpec): void {
    const { name } = spec;
    if (typeof name !== 'string' || !CONNECTION_NAME_PATTERN.test(name)) {
      throw new ConnectionConfigError(
        String(name),
        'name',
        'a connection name is 1 to 100 letters, digits, "-" or "_", starting with a letter or digit',
      );
    }
    if (RESERVED_CONNECTION_NAMES.includes(name)) {
      throw new ConnectionConfigError(name, 'name', `"${name}" is taken by an admin route (${RESERVED_CONNECTION_NAMES.join(', ')})`);
    }
    const existing = this.#connections.get(name);
    if (existing) {
      throw new ConnectionConfigError(
        name,
        'name',
        `two connections are named "${name}" (${existing.spec.typeLabel} and ${spec.typeLabel})`,
      );
    }
  }

  #bindingOf(spec: ConnectionSpec, config: LoadedConfig) {
    return resolveBinding(spec, {
      defaults: config.options.defaults,
      sections: config.sections,
      env: config.env,
      sink: this.#events,
      logger: this.#logger,
      origins: config.snapshot?.origins,
      status: config.status,
    });
  }

  #attach(spec: ConnectionSpec, connection: AnyConnection): void {
    this.#checkName(spec);
    if (!(connection instanceof BaseConnection)) {
      throw new ConnectionConfigError(spec.name, 'type', `${spec.typeLabel} did not produce a BaseConnection`);
    }
    connection[kBind](this.#bindingOf(spec, this.#config));
    this.#connections.set(spec.name, { connection, spec });
  }
}
