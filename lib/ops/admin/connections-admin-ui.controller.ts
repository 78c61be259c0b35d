import { Get, Header, Inject } from '@nestjs/common';
import { CONNECTIONS_ADMIN_OPTIONS } from './connections-admin.constants.js';
import type { ConnectionsAdminOptions } from './connections-admin-options.interface.js';
import { ADMIN_PAGE_CSP, renderAdminPage } from './connections-admin.page.js';

/**
 * `GET /ui`: the live page. It is static and holds no data, so the bearer token is not
 * required to load it (a browser navigation cannot send an Authorization header); every
 * request the page makes sends it. A custom `guard` still applies here.
 */
export class ConnectionsAdminUiController {
  readonly #html: string;

  constructor(@Inject(CONNECTIONS_ADMIN_OPTIONS) options: ConnectionsAdminOptions) {
    this.#html = renderAdminPage({ write: options.write !== false });
  }

  @Get('ui')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', ADMIN_PAGE_CSP)
  @Header('Cache-Control', 'no-store')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  page(): string {
    return this.#html;
  }
}
