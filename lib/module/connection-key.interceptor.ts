import {
  Inject,
  Injectable,
  InternalServerErrorException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Observable } from 'rxjs';
import { runWithConnectionKey } from '../core/connection-key.context.js';
import { CONNECTIONS_MODULE_OPTIONS } from '../core/connections.constants.js';
import type { ConnectionsModuleOptions } from '../core/connections-module-options.interface.js';
import { MAX_KEY_LENGTH } from '../core/keyed-lifecycles.js';
import { maskError } from '../utils/mask.util.js';

/**
 * Applies `ConnectionsModule.forRoot({ keyFrom })` to every request (HTTP, RPC, GraphQL: it is
 * a global interceptor): the handler, and everything it awaits, runs with the request's key,
 * so a keyed connection's `resolve()` / `use()` act on that key. No provider becomes
 * request-scoped; the key travels in an AsyncLocalStorage. (Guards run before interceptors:
 * a guard that needs a keyed connection uses `conn.for(key)`.)
 */
@Injectable()
export class ConnectionKeyInterceptor implements NestInterceptor {
  constructor(@Inject(CONNECTIONS_MODULE_OPTIONS) private readonly options: ConnectionsModuleOptions | undefined) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const keyFrom = this.options?.keyFrom;
    if (!keyFrom) return next.handle();
    let key: unknown;
    try {
      key = keyFrom(context);
    } catch (err) {
      // This request fails; the next one is asked again.
      throw new InternalServerErrorException(`ConnectionsModule keyFrom failed for this request: ${maskError(err, [])}`);
    }
    if (key === undefined) return next.handle();
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new InternalServerErrorException(
        `ConnectionsModule keyFrom must return a non-empty string of at most ${MAX_KEY_LENGTH} characters, or undefined (got ${typeof key})`,
      );
    }
    const connectionKey = key;
    return new Observable((subscriber) => runWithConnectionKey(connectionKey, () => next.handle().subscribe(subscriber)));
  }
}
