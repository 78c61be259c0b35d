// `nestjs-connections/drizzle`: the 'drizzle' type (drizzle-orm and its driver are optional peers, loaded on first connect).
export { DrizzleConnection } from './drizzle.connection.js';
export type { DrizzleConnectionOptions } from './drizzle-connection-options.interface.js';
export type { DrizzleDatabase } from './drizzle-drivers.js';
