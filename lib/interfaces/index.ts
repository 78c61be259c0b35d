export * from './connection-policy.interface.js';
export * from './connection-options.interface.js';
export * from './connection-info.interface.js';
export * from './connection-event.interface.js';
export * from './reset-result.interface.js';
export * from './use-options.interface.js';
export * from './standard-schema.interface.js';
export * from './keyed-options.interface.js';
