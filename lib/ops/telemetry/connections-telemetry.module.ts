import { Module, type DynamicModule } from '@nestjs/common';
import { CONNECTIONS_TELEMETRY_OPTIONS } from './connections-telemetry.constants.js';
import type { ConnectionsTelemetryOptions } from './connections-telemetry-options.interface.js';
import { ConnectionsTelemetry } from './connections.telemetry.js';

/**
 * Records spans and metrics of every connection through `@opentelemetry/api`. Import it once,
 * next to `ConnectionsModule.forRoot()`; register your OpenTelemetry SDK before bootstrap.
 */
@Module({})
export class ConnectionsTelemetryModule {
  static forRoot(options: ConnectionsTelemetryOptions = {}): DynamicModule {
    return {
      module: ConnectionsTelemetryModule,
      providers: [{ provide: CONNECTIONS_TELEMETRY_OPTIONS, useValue: options }, ConnectionsTelemetry],
      exports: [ConnectionsTelemetry],
    };
  }
}
