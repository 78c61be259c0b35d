import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { CONNECTIONS_ADMIN_OPTIONS } from './connections-admin.constants.js';
import type { AdminTokenSource, ConnectionsAdminOptions } from './connections-admin-options.interface.js';

/** `Authorization: Bearer <token>`: the token part, or undefined. */
function bearerOf(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/** The token itself, whether given as a string or a (possibly async) function. */
export async function resolveAdminToken(source: AdminTokenSource | undefined): Promise<string | undefined> {
  const token = typeof source === 'function' ? await source() : source;
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

/**
 * Requires `Authorization: Bearer <token>` on the admin routes (401 otherwise).
 *
 * The comparison runs in constant time over fixed-length digests: both tokens go through an
 * HMAC with a key drawn at startup, and `timingSafeEqual` compares the 32-byte results, so
 * neither the content nor the length of the expected token leaks through response times.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  readonly #logger = new Logger('ConnectionsAdmin');
  readonly #key = randomBytes(32);

  constructor(@Inject(CONNECTIONS_ADMIN_OPTIONS) private readonly options: ConnectionsAdminOptions) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<{ headers?: Record<string, unknown> }>();
    const presented = bearerOf(request.headers?.authorization);
    if (presented === undefined) this.#deny(http.getResponse(), 'Missing bearer token: send "Authorization: Bearer <token>"');

    let expected: string | undefined;
    try {
      expected = await resolveAdminToken(this.options.token);
    } catch {
      // The factory's error could quote anything from its configuration: keep it out of the log.
      this.#logger.error('The admin token factory threw; admin requests are refused until it returns a token');
      this.#deny(http.getResponse(), 'Invalid bearer token');
    }
    if (expected === undefined) {
      this.#logger.error('The admin token factory returned no token; admin requests are refused until it does');
      this.#deny(http.getResponse(), 'Invalid bearer token');
    }
    if (!timingSafeEqual(this.#digest(presented), this.#digest(expected))) {
      this.#deny(http.getResponse(), 'Invalid bearer token');
    }
    return true;
  }

  #digest(token: string): Buffer {
    return createHmac('sha256', this.#key).update(token, 'utf8').digest();
  }

  #deny(response: unknown, message: string): never {
    const challenge = 'Bearer realm="connections-admin"';
    const res = response as { setHeader?: (k: string, v: string) => void; header?: (k: string, v: string) => void };
    // Express responses have setHeader; Fastify replies have header().
    if (typeof res.setHeader === 'function') res.setHeader('WWW-Authenticate', challenge);
    else if (typeof res.header === 'function') res.header('WWW-Authenticate', challenge);
    throw new UnauthorizedException(message);
  }
}
