// The package root: the core only. Every integration that needs an optional peer has its own
// entry point (`nestjs-connections/sql`, `/redis`, `/admin`, `/terminus`, `/otel`, `/cluster`),
// so nothing here, and no type declared here, imports a driver.
export { BaseConnection } from './core/base-connection.js';
export { Connection } from './core/connection.decorator.js';
export { InjectConnection } from './core/inject-connection.decorator.js';
export { getConnectionToken } from './core/connections.tokens.js';
export { CONNECTIONS_MODULE_OPTIONS, RESERVED_CONNECTION_NAMES } from './core/connections.constants.js';
export { fakeConnection } from './core/fake-connection.js';
export { runWithConnectionKey } from './core/connection-key.context.js';
export type { ConnectionHandle } from './core/connection-handle.js';
export type * from './core/connections-module-options.interface.js';
export * from './interfaces/index.js';
export {
  ConnectionsError,
  ConnectError,
  ConnectionConfigError,
  ConnectionClosedError,
  UnknownConnectionError,
  CircuitOpenError,
  PingError,
  ConnectionKeyError,
} from './errors/connection.errors.js';
export { MissingPeerError } from './errors/missing-peer.error.js';
export { OptionKeyError } from './errors/option-key.error.js';
export { ConnectionsModule } from './module/connections.module.js';
export type { ConnectionsForRootOptions, ConnectionsForRootAsyncOptions } from './module/connections.module-definition.js';
export { ConnectionRegistry } from './module/connections.registry.js';
