import { envNameClash } from '../config/env-sections.js';
import { envNameOf } from '../utils/naming.util.js';
import type { Logger } from '@nestjs/common';
import { BaseConnection } from '../core/base-connection.js';
import { kBind, kBinding, kRebind } from '../core/connection.symbols.js';
import type { ConnectionClass } from '../core/connections-module-options.interface.js';
import { ConnectionConfigError, UnknownConnectionError } from '../errors/connection.errors.js';
import { specOfClass } from '../config/build-specs.js';
import { applySchemas } from '../config/apply-schema.js';
import type { ConnectionSpec } from '../config/connection-spec.js';
import { resolveBinding, type BindingContext } from '../config/resolve-binding.js';
import type { ConnectionCatalog } from './connection-catalog.js';
import { checkConnectionName } from './connection-name.check.js';
import {
  checkOverrideValue,
  claimStandalone,
  isOriginalInstance,
  isStandalone,
  OVERRIDE_TYPE,
  overrideSpecOf,
} from './connection-overrides.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyConnection = BaseConnection<any, any>;

export interface Registered {
  /** The connection the registry manages, or null for an override value that is not a `BaseConnection`. */
  connection: AnyConnection | null;
  /** What `get(name)` returns: the connection, or that override value. */
  value: unknown;
  spec: ConnectionSpec;
  /** Put in by `overrideProvider()`: it takes no secrets, module options or reloads. */
  override: boolean;
}

/** A statically listed class as the registry's factory got it: the class token's and the name token's values. */
export interface InjectedClass {
  cls: ConnectionClass;
  value: unknown;
  nameValue: unknown;
}

/**
 * The registry's table of connections, by name, and how each gets in: bound to its merged
 * options (and schema output), or, for an `overrideProvider()` value, under the name of what
 * it replaces. Names are checked here (S4).
 */
export class ConnectionTable {
  readonly #connections = new Map<string, Registered>();
  /** `CONNECTIONS__<NAME>__` form of each registered name -> the name (see `envNameClash`). */
  readonly #envNames = new Map<string, string>();
  /** Instances Nest made whose place an override took (left unregistered). */
  readonly #replaced = new WeakSet<object>();
  /** forFeature() instances made, waiting for settleFeature to register them (or an override to replace them). */
  readonly #pendingFeatures = new Map<string, AnyConnection>();

  constructor(
    private readonly logger: Logger,
    /** The binding context of the current configuration. */
    private readonly context: () => BindingContext,
  ) {}

  get(name: string): Registered | undefined {
    return this.#connections.get(name);
  }

  has(name: string): boolean {
    return this.#connections.has(name);
  }

  names(): string[] {
    return [...this.#connections.keys()];
  }

  values(): IterableIterator<Registered> {
    return this.#connections.values();
  }

  /** Whether an override took this instance's place. */
  isReplaced(instance: object): boolean {
    return this.#replaced.has(instance);
  }

  /**
   * @internal Registers the statically listed classes (instantiated by Nest) and the catalog's
   * declared and secrets-section connections. A value that is not the instance the module made
   * (an `overrideProvider()` of the class or of `getConnectionToken(name)`) takes the place of
   * that connection everywhere, under its name.
   */
  async register(classes: InjectedClass[], catalog: ConnectionCatalog, declaredTokens: ReadonlyMap<string, unknown>): Promise<void> {
    for (const { cls, value, nameValue } of classes) {
      const spec = specOfClass(cls);
      if (nameValue !== value) {
        // Only the name token is overridden: Nest gives the class token its own provider, so
        // injection by class keeps the instance it made, which is left unregistered.
        this.#replaced.add(value as object);
        this.#warnNameOnlyOverride(spec.name, cls);
        await this.#attachOverride(spec, nameValue, `getConnectionToken("${spec.name}")`);
      } else if (!isOriginalInstance(value, cls)) {
        await this.#attachOverride(spec, value, cls.name);
      } else {
        await this.attach(spec, value as AnyConnection);
      }
    }
    for (const { spec, instance } of catalog.declared) {
      const token = declaredTokens.get(spec.name);
      if (declaredTokens.has(spec.name) && token !== instance) {
        await this.#attachOverride(spec, token, `getConnectionToken("${spec.name}")`);
      } else {
        await this.attach(spec, instance);
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
    if (existing?.connection && existing.connection.constructor === cls) return existing.connection;
    const pending = this.#pendingFeatures.get(spec.name);
    if (pending && pending.constructor === cls) return pending;
    this.#checkName(spec);
    const connection = await create();
    // Registered by settleFeature, once Nest has resolved the class's name token too: only
    // then is it known whether an overrideProvider() of that token takes its place.
    this.#pendingFeatures.set(spec.name, connection);
    return connection;
  }

  /**
   * @internal What a `forFeature()` class's two tokens resolved to, once Nest made them. The
   * instance itself is registered now; an `overrideProvider()` of the class (so `attachFeature`
   * never ran) or of its name token takes that connection's place, as for a class in `forRoot`.
   */
  async settleFeature(cls: ConnectionClass, value: unknown, nameValue: unknown): Promise<void> {
    const spec = specOfClass(cls);
    if (this.#pendingFeatures.get(spec.name) === value) this.#pendingFeatures.delete(spec.name);
    if (this.#connections.get(spec.name)?.value === nameValue) return; // shared with forRoot or another feature module
    if (nameValue !== value) {
      this.#replaced.add(value as object);
      this.#warnNameOnlyOverride(spec.name, cls);
      await this.#attachOverride(spec, nameValue, `getConnectionToken("${spec.name}")`);
    } else if (isOriginalInstance(value, cls)) {
      await this.attach(spec, value as AnyConnection);
    } else {
      await this.#attachOverride(spec, value, cls.name);
    }
  }

  #warnNameOnlyOverride(name: string, cls: ConnectionClass): void {
    this.logger.warn(
      `Connection "${name}": getConnectionToken("${name}") is overridden but ${cls.name} is not; ` +
        `services that inject ${cls.name} by class get an unregistered instance. Override ${cls.name} (it covers both tokens).`,
    );
  }

  entry(name: string): Registered {
    const found = this.#connections.get(name);
    if (!found) throw new UnknownConnectionError(String(name), [...this.#connections.keys()]);
    return found;
  }

  #checkName(spec: ConnectionSpec): void {
    const taken = { get: (name: string) => this.#connections.get(name)?.spec.typeLabel };
    try {
      checkConnectionName(spec.name, spec.typeLabel, taken);
      envNameClash(spec.name, this.#envNames); // `reports-db` and `reports_db` would read the same variables
    } catch (err) {
      // The usual cause: a class registered in a feature module, and its secrets section also
      // has a `type`, so `fromSecrets` registered a second connection of that name.
      if (this.#connections.get(spec.name)?.spec.origin !== 'secrets') throw err;
      throw new ConnectionConfigError(
        spec.name,
        'type',
        `${(err as Error).message.replace(/^Connection "[^"]*", key "name": /, '')}: the [connections.${spec.name}] section has a \`type\`, ` +
          `so fromSecrets registered it as a connection of its own; drop \`type\` from a section that configures a class`,
      );
    }
  }

  async attach(spec: ConnectionSpec, connection: AnyConnection): Promise<void> {
    this.#checkName(spec);
    if (!(connection instanceof BaseConnection)) {
      throw new ConnectionConfigError(spec.name, 'type', `${spec.typeLabel} did not produce a BaseConnection`);
    }
    connection[kBind](await applySchemas(spec, resolveBinding(spec, this.context())));
    this.#put(spec.name, { connection, value: connection, spec, override: false });
  }

  /**
   * An `overrideProvider()` value, under the name of what it replaces. A `BaseConnection` is
   * bound with its own class's options and policies only (no secrets, environment or module
   * options: a test stays hermetic); anything else is kept as is, with a minimal `info()`.
   */
  async #attachOverride(replaced: ConnectionSpec, value: unknown, token: string): Promise<void> {
    checkOverrideValue(replaced.name, token, value);
    if (!(value instanceof BaseConnection)) {
      this.#checkName(replaced);
      this.#put(replaced.name, { connection: null, value, spec: { ...replaced, typeLabel: OVERRIDE_TYPE, origin: 'override' }, override: true });
      return;
    }
    const spec = overrideSpecOf(replaced.name, value);
    this.#checkName(spec);
    const binding = await applySchemas(spec, resolveBinding(spec, { ...this.context(), sections: {}, env: null, moduleOptions: undefined }));
    if (value[kBinding] && isStandalone(value)) {
      value[kRebind](binding);
      claimStandalone(value);
    } else {
      value[kBind](binding); // an instance registered already (one fake for two names) fails here, naming both
    }
    this.#put(spec.name, { connection: value, value, spec, override: true });
  }

  #put(name: string, registered: Registered): void {
    this.#connections.set(name, registered);
    this.#envNames.set(envNameOf(name), name);
  }
}
