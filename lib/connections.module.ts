import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigurableModuleClass } from './connections.module-definition.js';
import { createFeatureProviders } from './connections.providers.js';
import type { ConnectionClass } from './interfaces/connections-module-options.interface.js';

/**
 * Registers connections.
 *
 * - `forRoot({ connections, secrets, defaults, types, fromSecrets, isGlobal })` once, in the
 *   root module: the registry, the listed classes and declarations.
 * - `forRootAsync({ connections, imports, inject, useFactory | useClass | useExisting })`: the
 *   same, with everything but `connections` and `isGlobal` from a factory.
 * - `forFeature([classes])` in feature modules: more connection classes, registered with the
 *   same registry (which must be global, the default).
 */
@Module({})
export class ConnectionsModule extends ConfigurableModuleClass {
  static forFeature(classes: ConnectionClass[]): DynamicModule {
    const feature = createFeatureProviders(classes);
    return { module: ConnectionsModule, providers: feature.providers, exports: feature.exports };
  }
}
