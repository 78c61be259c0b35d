import { ConfigurableModuleBuilder } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CONNECTIONS_MODULE_OPTIONS } from '../core/connections.constants.js';
import { createRootProviders } from './connections.providers.js';
import { connectionRepositoryProviders, connectionRepositoryTokens } from './connection-repositories.providers.js';
import type {
  ConnectionsModuleExtras,
  ConnectionsModuleOptions,
} from '../core/connections-module-options.interface.js';

/**
 * `forRoot(options)` / `forRootAsync({ useFactory, inject, imports })`, built by Nest's
 * ConfigurableModuleBuilder. `connections` and `isGlobal` are extras: they shape the module
 * (its providers and exports), so they are given statically even to `forRootAsync`.
 */
export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<ConnectionsModuleOptions>({ optionsInjectionToken: CONNECTIONS_MODULE_OPTIONS })
    .setClassMethodName('forRoot')
    // `useClass`/`useExisting` factories implement `createConnectionsOptions()`, as TypeOrmModule's do `createTypeOrmOptions()`.
    .setFactoryMethodName('createConnectionsOptions')
    .setExtras<ConnectionsModuleExtras>({ connections: [], isGlobal: true, imports: [] }, (definition, extras) => {
      const { connections = [], isGlobal = true, imports = [], ...rest } = extras as ConnectionsModuleExtras &
        ConnectionsModuleOptions;
      const root = createRootProviders(connections, rest);
      return {
        ...definition,
        global: isGlobal,
        imports: [...(definition.imports ?? []), ...imports, DiscoveryModule],
        // Getters: read when Nest scans the module, once every file of the app has been imported,
        // so every `@InjectConnectionRepository` use is known (see connection-repositories.providers).
        get providers() {
          return [...(definition.providers ?? []), ...root.providers, ...connectionRepositoryProviders()];
        },
        get exports() {
          return [...root.exports, ...connectionRepositoryTokens()];
        },
      };
    })
    .build();

export type ConnectionsForRootOptions = typeof OPTIONS_TYPE;
export type ConnectionsForRootAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
