import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigurableModuleClass, type ConnectionsForRootOptions } from './connections.module-definition.js';
import { createFeatureProviders } from './connections.providers.js';
import type { ConnectionClass, ModuleImport } from '../core/connections-module-options.interface.js';

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
  /** Registers the root: the registry, the listed connections and their configuration. */
  static override forRoot(options: ConnectionsForRootOptions = {}): DynamicModule {
    return super.forRoot(options);
  }

  static forFeature(classes: ConnectionClass[], options: { imports?: ModuleImport[] } = {}): DynamicModule {
    const feature = createFeatureProviders(classes);
    // `imports`: modules whose providers these classes inject (the feature module's own are not visible here).
    return { module: ConnectionsModule, imports: options.imports ?? [], providers: feature.providers, exports: feature.exports };
  }
}
