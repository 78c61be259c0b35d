import { Module } from '@nestjs/common';
import { ConnectionsHealthIndicator } from './connections.health-indicator.js';

/**
 * Provides `ConnectionsHealthIndicator`. Import it next to `TerminusModule` in the module of
 * your health controller (or list `ConnectionsHealthIndicator` in its providers yourself).
 * Needs the global `ConnectionRegistry` of `ConnectionsModule.forRoot()`.
 */
@Module({
  providers: [ConnectionsHealthIndicator],
  exports: [ConnectionsHealthIndicator],
})
export class ConnectionsHealthModule {}
