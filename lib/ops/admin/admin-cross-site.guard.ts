import { ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { CONNECTIONS_ADMIN_OPTIONS } from './connections-admin.constants.js';
import type { ConnectionsAdminOptions } from './connections-admin-options.interface.js';

type Headers = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/**
 * Refuses cross-site writes on the POST reset routes (request forgery): a page on another
 * origin can make a browser send a form POST with the admin's cookies, so a cookie or session
 * `guard` alone would let it reset connections.
 *
 * - `Authorization` present with a `token` configured: passes (a cross-site form cannot set
 *   that header; the token guard checks it). The bearer path is unaffected.
 * - `Sec-Fetch-Site` (every current browser sends it): only `same-origin` and `none` (typed in
 *   the address bar) pass; `same-site` (another port or subdomain) and `cross-site` do not.
 * - Without it, `Origin` (older browsers): must be the admin's own host (`Host`, or
 *   `X-Forwarded-Host` behind a proxy), or one of `trustedOrigins`; `Origin: null` is refused.
 * - Neither header: not a browser (curl, a script), which forgery cannot drive: passes.
 */
@Injectable()
export class AdminCrossSiteGuard implements CanActivate {
  readonly #trusted: Set<string>;
  readonly #hasToken: boolean;

  constructor(@Inject(CONNECTIONS_ADMIN_OPTIONS) options: ConnectionsAdminOptions) {
    this.#trusted = new Set((options.trustedOrigins ?? []).map((origin) => origin.replace(/\/+$/, '').toLowerCase()));
    this.#hasToken = options.token !== undefined && options.token !== '';
  }

  canActivate(context: ExecutionContext): boolean {
    const headers = context.switchToHttp().getRequest<{ headers?: Headers }>().headers ?? {};
    if (this.#hasToken && typeof headers.authorization === 'string' && headers.authorization !== '') return true;
    const origin = first(headers.origin)?.toLowerCase();
    if (origin !== undefined && this.#trusted.has(origin)) return true;
    const site = first(headers['sec-fetch-site']);
    if (site !== undefined) {
      if (site === 'same-origin' || site === 'none') return true;
      return this.#refuse(`Sec-Fetch-Site: ${site === 'same-site' || site === 'cross-site' ? site : 'unknown'}`);
    }
    if (origin === undefined) return true;
    const host = (first(headers['x-forwarded-host']) ?? first(headers.host))?.split(',')[0].trim().toLowerCase();
    let originHost: string | null = null;
    try {
      originHost = origin === 'null' ? null : new URL(origin).host;
    } catch {
      originHost = null;
    }
    if (originHost !== null && host !== undefined && originHost === host) return true;
    return this.#refuse('its Origin is not this host');
  }

  #refuse(why: string): never {
    throw new ForbiddenException(
      `Cross-site request refused (${why}): the reset routes accept writes from the admin page's own origin, ` +
        'a bearer token, or a client that is not a browser (see trustedOrigins)',
    );
  }
}
