export { BaseConnection, type ConnectContext, type UseOptions } from './base-connection.js';
export { Connection } from './connection.decorator.js';
export { InjectConnection } from './inject-connection.decorator.js';
export { getConnectionToken } from './connections.tokens.js';
export { ConnectionsModule } from './connections.module.js';
export type { ConnectionsForRootOptions, ConnectionsForRootAsyncOptions } from './connections.module-definition.js';
export { ConnectionRegistry } from './connection-registry.js';
export {
  ConnectionsError,
  ConnectError,
  ConnectionConfigError,
  ConnectionClosedError,
  UnknownConnectionError,
  CircuitOpenError,
} from './connection.errors.js';
export { CONNECTIONS_MODULE_OPTIONS, RESERVED_CONNECTION_NAMES } from './connections.constants.js';
export * from './interfaces/index.js';
