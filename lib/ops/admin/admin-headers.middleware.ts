import { Injectable, type NestMiddleware } from '@nestjs/common';

/**
 * `Cache-Control: no-store` and `X-Content-Type-Options: nosniff` on every admin answer,
 * errors included (it runs before the guards): connection states and errors must not be kept
 * by a browser or a proxy cache, and no answer may be sniffed into something executable.
 * Routes that set their own `Cache-Control` (the event stream) still say `no-store`.
 */
@Injectable()
export class AdminHeadersMiddleware implements NestMiddleware {
  use(_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void): void {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  }
}
