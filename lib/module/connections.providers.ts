import type { Provider } from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryService, ModuleRef } from '@nestjs/core';
import { ConnectionKeyInterceptor } from './connection-key.interceptor.js';
import { BaseConnection } from '../core/base-connection.js';
import { getConnectionMetadata } from '../core/connection.decorator.js';
import { ConnectionRegistry } from './connections.registry.js';
import { clusterCoordinatorProvider } from './cluster.providers.js';
import { CONNECTION_SPECS, CONNECTIONS_CONFIG, CONNECTIONS_MODULE_OPTIONS } from '../core/connections.constants.js';

import { getConnectionToken } from '../core/connections.tokens.js';
import { loadConfig } from './load-config.js';
import { readSecretsFilesSync } from '../config/secrets-files.js';
import { limitsOf, secretsFilesOf } from '../config/secrets-options.js';
import { sectionTypeOf } from '../config/build-specs.js';
import { BUILT_IN_TYPES } from './built-in-types.js';
import type {
  ConnectionClass,
  ConnectionEntry,
  ConnectionsModuleOptions,
} from '../core/connections-module-options.interface.js';
import { defaultConnectionName } from '../utils/naming.util.js';

function isClass(entry: ConnectionEntry): entry is ConnectionClass {
  return typeof entry === 'function' && entry.prototype instanceof BaseConnection;
}

/** The name a class registers under, for its `getConnectionToken(name)` alias. */
function staticNameOf(cls: ConnectionClass): string {
  return getConnectionMetadata(cls).name ?? defaultConnectionName(cls.name);
}

/** `getConnectionToken(name)` for a connection the registry creates itself. */
function registryAlias(name: string): Provider {
  return {
    provide: getConnectionToken(name),
    useFactory: (registry: ConnectionRegistry) => registry.get(name),
    inject: [ConnectionRegistry],
  };
}

/**
 * Names of `fromSecrets` sections, read synchronously so `@InjectConnection(name)` can work
 * for them. Problems are left for bootstrap, which reports them properly (S4).
 */
function namesFromSecrets(options: Partial<ConnectionsModuleOptions>): string[] {
  if (!options.fromSecrets) return [];
  try {
    const { sections } = readSecretsFilesSync(secretsFilesOf(options.secrets), limitsOf(options.secrets));
    const typeNames = new Set([...Object.keys(BUILT_IN_TYPES), ...Object.keys(options.types ?? {})]);
    return Object.entries(sections)
      .filter(([name, section]) => sectionTypeOf(name, section, typeNames) !== undefined)
      .map(([name]) => name);
  } catch {
    return [];
  }
}

/**
 * Providers of the root module: the loaded configuration, the registry, each listed class
 * (instantiated by Nest, so it may inject its own dependencies) and a name token for each
 * connection known statically.
 */
export function createRootProviders(
  entries: ConnectionEntry[],
  staticOptions: Partial<ConnectionsModuleOptions>,
): { providers: Provider[]; exports: Array<Provider | string | symbol | Function> } {
  // A wrong `connections` value fails bootstrap with a ConnectionConfigError (S4), not here at import time.
  const list = Array.isArray(entries) ? entries : [];
  const classes = list.filter(isClass);
  const declaredNames = list
    .filter((entry) => !isClass(entry))
    .map((entry) => (entry as { name?: unknown }).name)
    .filter((name): name is string => typeof name === 'string');
  const aliases: Provider[] = [
    ...classes.map((cls) => ({ provide: getConnectionToken(staticNameOf(cls)), useExisting: cls })),
    ...[...new Set([...declaredNames, ...namesFromSecrets(staticOptions)])]
      .filter((name) => !classes.some((cls) => staticNameOf(cls) === name))
      .map(registryAlias),
  ];
  const providers: Provider[] = [
    { provide: CONNECTION_SPECS, useValue: entries },
    { provide: CONNECTIONS_CONFIG, useFactory: loadConfig, inject: [CONNECTIONS_MODULE_OPTIONS] },
    {
      provide: ConnectionRegistry,
      useFactory: async (
        config: Awaited<ReturnType<typeof loadConfig>>,
        specs: ConnectionEntry[],
        moduleRef: ModuleRef,
        discovery: DiscoveryService,
        ...instances: BaseConnection[]
      ) => {
        const registry = new ConnectionRegistry(config, moduleRef, discovery);
        await registry.init(specs, instances);
        return registry;
      },
      inject: [CONNECTIONS_CONFIG, CONNECTION_SPECS, ModuleRef, DiscoveryService, ...classes],
    },
    // Null unless `cluster` is set (it may come from forRootAsync's factory, so always listed).
    clusterCoordinatorProvider,
    // A no-op unless `keyFrom` is set (which may also come from forRootAsync's factory).
    { provide: APP_INTERCEPTOR, useClass: ConnectionKeyInterceptor },
    ...classes,
    ...aliases,
  ];
  const exports = [
    ConnectionRegistry,
    ...classes,
    ...aliases.map((alias) => (alias as { provide: string }).provide),
  ];
  return { providers, exports };
}

/**
 * Providers of `forFeature(classes)`: each class through a factory that asks the registry, so a
 * class also listed in `forRoot` (or in another feature module) stays one connection, and a new
 * one is instantiated with this feature module's providers; plus its name token.
 */
export function createFeatureProviders(classes: ConnectionClass[]): {
  providers: Provider[];
  exports: Array<string | symbol | Function>;
} {
  const byClass: Provider[] = classes.map((cls) => ({
    provide: cls,
    useFactory: (registry: ConnectionRegistry, moduleRef: ModuleRef) =>
      registry.attachFeature(cls, () => moduleRef.create(cls)),
    inject: [ConnectionRegistry, ModuleRef],
  }));
  const aliases = classes.map((cls) => ({ provide: getConnectionToken(staticNameOf(cls)), useExisting: cls }));
  return {
    providers: [...byClass, ...aliases],
    exports: [...classes, ...aliases.map((alias) => alias.provide as string)],
  };
}
