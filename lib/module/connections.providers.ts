import type { Provider } from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryService, ModuleRef } from '@nestjs/core';
import { ConnectionKeyInterceptor } from './connection-key.interceptor.js';
import { BaseConnection } from '../core/base-connection.js';
import { getConnectionMetadata } from '../core/connection.decorator.js';
import { ConnectionRegistry, type InjectedClass } from './connections.registry.js';
import { ConnectionCatalog } from './connection-catalog.js';
import { clusterCoordinatorProvider } from './cluster.providers.js';
import { CONNECTION_CATALOG, CONNECTION_SPECS, CONNECTIONS_CONFIG, CONNECTIONS_MODULE_OPTIONS } from '../core/connections.constants.js';

import { getConnectionToken } from '../core/connections.tokens.js';
import { loadConfig, type LoadedConfig } from './load-config.js';
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

/**
 * `getConnectionToken(name)` of a connection the module instantiates itself: read from the
 * catalog, not the registry, so the registry can inject the token and see an override of it.
 */
function catalogAlias(name: string): Provider {
  return {
    provide: getConnectionToken(name),
    useFactory: (catalog: ConnectionCatalog) => catalog.instanceOf(name),
    inject: [CONNECTION_CATALOG],
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
function mayHaveKeyFrom(options: Partial<ConnectionsModuleOptions> & { useFactory?: unknown; useClass?: unknown; useExisting?: unknown }): boolean {
  return options.keyFrom !== undefined || options.useFactory !== undefined || options.useClass !== undefined || options.useExisting !== undefined;
}

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
  const classNames = classes.map(staticNameOf);
  const namesOfDeclared = [...new Set([...declaredNames, ...namesFromSecrets(staticOptions)])].filter((name) => !classNames.includes(name));
  const aliases: Provider[] = [
    ...classes.map((cls, index) => ({ provide: getConnectionToken(classNames[index]), useExisting: cls })),
    ...namesOfDeclared.map(catalogAlias),
  ];
  const providers: Provider[] = [
    { provide: CONNECTION_SPECS, useValue: entries },
    { provide: CONNECTIONS_CONFIG, useFactory: loadConfig, inject: [CONNECTIONS_MODULE_OPTIONS] },
    {
      provide: CONNECTION_CATALOG,
      useFactory: (config: LoadedConfig, specs: ConnectionEntry[], moduleRef: ModuleRef) => ConnectionCatalog.create(config, specs, moduleRef),
      inject: [CONNECTIONS_CONFIG, CONNECTION_SPECS, ModuleRef],
    },
    {
      provide: ConnectionRegistry,
      // The registry injects every public token (class and name) of the connections, so an
      // `overrideProvider()` of either is what it registers (see ConnectionRegistry.init).
      useFactory: async (config: LoadedConfig, catalog: ConnectionCatalog, discovery: DiscoveryService, ...injected: unknown[]) => {
        const registry = new ConnectionRegistry(config, discovery);
        const n = classes.length;
        const classValues: InjectedClass[] = classes.map((cls, index) => ({ cls, value: injected[index], nameValue: injected[n + index] }));
        const declaredTokens = new Map(namesOfDeclared.map((name, index) => [name, injected[2 * n + index]]));
        await registry.init(classValues, catalog, declaredTokens);
        return registry;
      },
      inject: [
        CONNECTIONS_CONFIG,
        CONNECTION_CATALOG,
        DiscoveryService,
        ...classes,
        ...classNames.map((name) => getConnectionToken(name)),
        ...namesOfDeclared.map((name) => getConnectionToken(name)),
      ],
    },
    // Null unless `cluster` is set (it may come from forRootAsync's factory, so always listed).
    clusterCoordinatorProvider,
    // Only when `keyFrom` may be set: given to forRoot, or possibly returned by forRootAsync's
    // factory (unknown until then: there it is installed, a no-op without `keyFrom`). A global
    // interceptor costs every request of the app, so an app without keyed requests has none.
    ...(mayHaveKeyFrom(staticOptions) ? [{ provide: APP_INTERCEPTOR, useClass: ConnectionKeyInterceptor }] : []),
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
  // One more provider per class, which sees what its two tokens became: an overrideProvider()
  // of either replaces the factory above, and this tells the registry.
  const settlers: Provider[] = classes.map((cls) => ({
    provide: Symbol(`nestjs-connections:feature:${cls.name}`),
    useFactory: (registry: ConnectionRegistry, value: unknown, nameValue: unknown) => registry.settleFeature(cls, value, nameValue),
    inject: [ConnectionRegistry, cls, getConnectionToken(staticNameOf(cls))],
  }));
  return {
    providers: [...byClass, ...aliases, ...settlers],
    exports: [...classes, ...aliases.map((alias) => alias.provide as string)],
  };
}
