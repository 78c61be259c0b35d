import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { OPS_TOKEN, type OpsToken } from './ops-token.js';

/** `Authorization: Bearer <token>`, compared in constant time. */
@Injectable()
export class OpsTokenGuard implements CanActivate {
  readonly #expected: Buffer;

  constructor(@Inject(OPS_TOKEN) token: OpsToken) {
    this.#expected = digest(token.value);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<{ headers: { authorization?: string } }>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    // Digests have one length, so timingSafeEqual never leaks the token's length either.
    if (match && timingSafeEqual(digest(match[1]), this.#expected)) return true;
    throw new UnauthorizedException('a valid Authorization: Bearer <ADMIN_TOKEN> header is required');
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
