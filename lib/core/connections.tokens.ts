import type { InjectionToken } from '@nestjs/common';
import type { ConnectionClass } from './connections-module-options.interface.js';

/**
 * The injection token of a connection: `getConnectionToken('analytics')` for one registered
 * by name; a class is its own token.
 */
export function getConnectionToken(nameOrClass: string | ConnectionClass): InjectionToken {
  return typeof nameOrClass === 'string' ? `nestjs-connections:${nameOrClass}` : nameOrClass;
}
