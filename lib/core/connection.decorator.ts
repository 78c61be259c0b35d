import { Injectable } from '@nestjs/common';
import { BaseConnection } from './base-connection.js';
import { CONNECTION_METADATA } from './connections.constants.js';
import type { ConnectionDecoratorOptions } from '../interfaces/connection-options.interface.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AbstractConnectionClass = abstract new (...args: any[]) => BaseConnection<any, any>;

/**
 * Marks a `BaseConnection` subclass as a connection and makes it injectable. Options are
 * checked at bootstrap (S4); the class itself is checked here, at decoration.
 */
export function Connection(options: ConnectionDecoratorOptions = {}) {
  return <T extends AbstractConnectionClass>(target: T): void => {
    if (typeof target !== 'function' || !(target.prototype instanceof BaseConnection)) {
      const name = (target as { name?: string })?.name || String(target);
      throw new TypeError(`@Connection() is on class ${name}, which does not extend BaseConnection`);
    }
    Reflect.defineMetadata(CONNECTION_METADATA, { ...options }, target);
    Injectable()(target);
  };
}

/** The `@Connection()` options of a class (empty when it is not decorated). */
export function getConnectionMetadata(target: Function): ConnectionDecoratorOptions {
  return (Reflect.getMetadata(CONNECTION_METADATA, target) as ConnectionDecoratorOptions | undefined) ?? {};
}

export function isDecoratedConnection(target: unknown): boolean {
  return typeof target === 'function' && Reflect.hasOwnMetadata(CONNECTION_METADATA, target);
}
