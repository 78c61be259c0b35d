import type { ConnectionClass } from '../interfaces/connections-module-options.interface.js';

/**
 * Type names usable in declarations and secrets sections without registering them in
 * `types`. The built-in connections add themselves here (see `lib/sql`, `lib/redis`).
 */
export const BUILT_IN_TYPES: Record<string, ConnectionClass> = {};
