import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHttpApp, type HttpApp } from '../admin/http-app.js';
import { AutoConnection } from '../support/controlled-connection.js';
import { describeWithChromium, launchChromium } from './chromium.js';

const BASE = '/admin/connections';

/** A cookie session guard, as the README suggests for the page. */
@Injectable()
class CookieGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const cookie = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.cookie ?? '';
    return /(?:^|;\s*)admin_session=ok(?:;|$)/.test(cookie);
  }
}

describeWithChromium('CS2 a cross-site form post in Chromium', () => {
  let http: HttpApp;
  let browser: Browser;
  let attacker: Server;
  let attackerOrigin = '';

  beforeAll(async () => {
    http = await startHttpApp({ connections: [AutoConnection] }, { guard: CookieGuard });
    // Another origin on the same host (another port): same-site, so a SameSite=Lax cookie goes along.
    attacker = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(
        `<!doctype html><form id="f" method="POST" action="${http.origin}${BASE}/auto/reset"></form>` +
          '<script>document.getElementById("f").submit()</script>',
      );
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await http?.app.close();
  });

  it('CS2 under a cookie guard, a page on another origin cannot reset; the admin page itself can', async () => {
    const conn = http.app.get(AutoConnection);
    await conn.resolve();
    const context = await browser.newContext();
    await context.addCookies([{ name: 'admin_session', value: 'ok', domain: '127.0.0.1', path: '/', sameSite: 'Lax' }]);

    const page = await context.newPage();
    const posted = page.waitForResponse((response) => response.url().endsWith(`${BASE}/auto/reset`));
    await page.goto(attackerOrigin);
    const response = await posted;
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain('Cross-site request refused');
    expect(conn.info()).toMatchObject({ state: 'connected', generation: 1, resets: 0 });

    // The same cookie works from the admin's own origin (so the 403 above is the cross-site check).
    await page.goto(`${http.origin}${BASE}/ui`);
    const status = await page.evaluate<number>(`fetch('${BASE}/auto/reset', { method: 'POST' }).then((r) => r.status)`);
    expect(status).toBe(200);
    expect(conn.info().resets).toBe(1);
    await context.close();
  });
});
