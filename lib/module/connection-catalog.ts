import type { ModuleRef } from '@nestjs/core';
import type { BaseConnection } from '../core/base-connection.js';
import type { ConnectionClass, ConnectionEntry } from '../core/connections-module-options.interface.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import { specOfClass, specOfEntry, specsFromSecrets } from '../config/build-specs.js';
import type { ConnectionSpec } from '../config/connection-spec.js';
import { BUILT_IN_TYPES } from './built-in-types.js';
import { checkConnectionName } from './connection-name.check.js';
import type { LoadedConfig } from './load-config.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyConnection = BaseConnection<any, any>;

/** Where Nest keeps a class's constructor and property dependencies (@nestjs/common's constants). */
const INJECTION_METADATA = ['design:paramtypes', 'self:paramtypes', 'self:properties_metadata'];

/**
 * The connections the module instantiates itself (declarations and `fromSecrets` sections),
 * built before the registry: their `getConnectionToken(name)` providers read them from here,
 * so the registry can inject those tokens and see an `overrideProvider()` of one.
 */
export class ConnectionCatalog {
  readonly #byName: ReadonlyMap<string, AnyConnection>;

  private constructor(
    /** Declared and secrets-section connections, in registration order. */
    readonly declared: ReadonlyArray<{ spec: ConnectionSpec; instance: AnyConnection }>,
  ) {
    this.#byName = new Map(declared.map((entry) => [entry.spec.name, entry.instance]));
  }

  /** The instance the module made for `name`, if it made one. */
  instanceOf(name: string): AnyConnection | undefined {
    return this.#byName.get(name);
  }

  static async create(config: LoadedConfig, entries: ConnectionEntry[], moduleRef: ModuleRef): Promise<ConnectionCatalog> {
    const { options, sections } = config;
    if (!Array.isArray(entries)) {
      throw new ConnectionConfigError('*', 'connections', 'must be an array of connection classes and { name, type } declarations');
    }
    const types: Record<string, ConnectionClass> = { ...BUILT_IN_TYPES, ...options.types };
    const taken = new Map<string, string>();
    for (const entry of entries) {
      if (typeof entry !== 'function') continue;
      const spec = specOfClass(entry);
      checkConnectionName(spec.name, spec.typeLabel, taken);
      taken.set(spec.name, spec.typeLabel);
    }
    const declared: Array<{ spec: ConnectionSpec; instance: AnyConnection }> = [];
    const add = async (spec: ConnectionSpec) => {
      checkConnectionName(spec.name, spec.typeLabel, taken); // before instantiating anything for it
      taken.set(spec.name, spec.typeLabel);
      declared.push({ spec, instance: await instantiate(spec.cls, moduleRef) });
    };
    for (const declaration of [...entries.filter((entry) => typeof entry !== 'function'), ...(options.connections ?? [])]) {
      await add(specOfEntry(declaration, types));
    }
    if (options.fromSecrets) {
      for (const spec of specsFromSecrets(sections, new Set(taken.keys()), types)) await add(spec);
    }
    return new ConnectionCatalog(declared);
  }
}

/**
 * A declared connection's instance. A class with dependencies goes through Nest's injector
 * (in this module's scope); one without (the built-in types, most authors' classes) is built
 * directly: the injector's per-call work is most of what a thousand declarations cost.
 */
async function instantiate(cls: ConnectionClass, moduleRef: ModuleRef): Promise<AnyConnection> {
  const injects = cls.length > 0 || INJECTION_METADATA.some((key) => (Reflect.getMetadata(key, cls) as unknown[] | undefined)?.length);
  return injects ? moduleRef.create(cls) : new cls();
}
