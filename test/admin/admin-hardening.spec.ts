import { Controller, Get, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { describe, expect, it } from 'vitest';
import { AutoConnection } from '../support/controlled-connection.js';
import { httpAppPerTest, TOKEN } from './http-app.js';

const BASE = '/admin/connections';
const start = httpAppPerTest();

/** A cookie session guard, as the README suggests for the page: `Cookie: admin_session=ok`. */
@Injectable()
class CookieGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const cookie = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.cookie ?? '';
    return /(?:^|;\s*)admin_session=ok(?:;|$)/.test(cookie);
  }
}

@Controller('things')
class ThingsController {
  @Get()
  list(): string[] {
    return [];
  }
}

async function status(response: Response): Promise<number> {
  await response.body?.cancel();
  return response.status;
}

describe('SH1 security headers on every admin answer', () => {
  it('SH1 Cache-Control: no-store and X-Content-Type-Options: nosniff on successes and errors alike', async () => {
    const { request } = await start({ connections: [AutoConnection] }, { token: TOKEN, maxStreams: 1 });
    const stream = await request(`${BASE}/events`);
    const cases: Array<[string, RequestInit & { auth?: string | null }, number]> = [
      [BASE, {}, 200],
      [`${BASE}/auto`, {}, 200],
      [`${BASE}/health`, {}, 200],
      [`${BASE}/health?mode=bogus`, {}, 400],
      [`${BASE}/ghost`, {}, 404],
      [`${BASE}/a.b`, {}, 400],
      [`${BASE}/cluster`, {}, 404],
      [`${BASE}/ui`, {}, 200],
      [BASE, { auth: null }, 401],
      [BASE, { auth: 'Bearer wrong-token' }, 401],
      [`${BASE}/events`, {}, 503],
      [`${BASE}/auto/reset`, { method: 'POST' }, 200],
      [`${BASE}/reset`, { method: 'POST' }, 200],
      [`${BASE}/auto/reset?strategy=bogus`, { method: 'POST' }, 400],
    ];
    for (const [path, init, expected] of cases) {
      const response = await request(path, init);
      const what = `${init.method ?? 'GET'} ${path} (${expected})`;
      expect(response.status, `${what}`).toBe(expected);
      expect(response.headers.get('cache-control'), `${what}`).toBe('no-store');
      expect(response.headers.get('x-content-type-options'), `${what}`).toBe('nosniff');
      await response.body?.cancel();
    }
    expect(stream.headers.get('cache-control')).toContain('no-store');
    expect(stream.headers.get('x-content-type-options')).toBe('nosniff');
    await stream.body?.cancel();
  });

  it('SH1 the guard refusing (403) carries them too, and the host app\'s own routes are untouched', async () => {
    const { request } = await start({ connections: [AutoConnection] }, { guard: CookieGuard }, { controllers: [ThingsController] });
    const refused = await request(BASE, { auth: null });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    const own = await request('/things', { auth: null });
    expect(own.status).toBe(200);
    expect(own.headers.get('x-content-type-options')).toBeNull();
  });
});

describe('CS1 cross-site writes are refused on the reset routes', () => {
  const withCookie = (headers: Record<string, string>) => ({ method: 'POST', auth: null, headers: { cookie: 'admin_session=ok', ...headers } });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: same-site (another port)', { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:1' }],
    ['an Origin of another host, no Sec-Fetch-Site', { origin: 'https://evil.example' }],
    ['Origin: null (a sandboxed page)', { origin: 'null' }],
    ['an unparsable Origin', { origin: '::::' }],
  ])('CS1 under a cookie guard, %s: 403 and nothing is reset', async (_, headers) => {
    const { request, app } = await start({ connections: [AutoConnection] }, { guard: CookieGuard });
    const conn = app.get(AutoConnection);
    await conn.resolve();
    for (const path of [`${BASE}/auto/reset`, `${BASE}/reset`, `${BASE}/auto/reset?strategy=swap`]) {
      const response = await request(path, withCookie(headers));
      expect(response.status, `${path}`).toBe(403);
      expect(((await response.json()) as { message: string }).message, `${path}`).toMatch(/^Cross-site request refused/);
    }
    expect(conn.info()).toMatchObject({ state: 'connected', generation: 1, resets: 0 });
  });

  it('CS1 same-origin, typed-in (none), same-host Origin and non-browser writes pass; reads are unaffected', async () => {
    const { request, app, origin } = await start({ connections: [AutoConnection] }, { guard: CookieGuard });
    const conn = app.get(AutoConnection);
    await conn.resolve();
    expect(await status(await request(`${BASE}/auto/reset`, withCookie({ 'sec-fetch-site': 'same-origin', origin })))).toBe(200);
    expect(await status(await request(`${BASE}/auto/reset`, withCookie({ 'sec-fetch-site': 'none' })))).toBe(200);
    expect(await status(await request(`${BASE}/auto/reset`, withCookie({ origin })))).toBe(200);
    expect(await status(await request(`${BASE}/auto/reset`, withCookie({})))).toBe(200); // curl, a script
    expect(await status(await request(BASE, { auth: null, headers: { cookie: 'admin_session=ok', 'sec-fetch-site': 'cross-site' } }))).toBe(200);
    expect(conn.info().resets).toBe(1); // one instance to drop; the others found it idle
  });

  it('CS1 trustedOrigins lets a named dashboard origin write; others are still refused', async () => {
    const { request } = await start({ connections: [AutoConnection] }, { guard: CookieGuard, trustedOrigins: ['https://ops.example.com/'] });
    const trusted = withCookie({ 'sec-fetch-site': 'cross-site', origin: 'https://ops.example.com' });
    expect(await status(await request(`${BASE}/reset`, trusted))).toBe(200);
    expect(await status(await request(`${BASE}/reset`, withCookie({ 'sec-fetch-site': 'cross-site', origin: 'https://ops.example.org' })))).toBe(403);
  });

  it('CS1 the bearer-token path is unaffected: a request with the token passes from any origin', async () => {
    const { request, app } = await start({ connections: [AutoConnection] }, { token: TOKEN });
    const conn = app.get(AutoConnection);
    await conn.resolve();
    const response = await request(`${BASE}/auto/reset`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site', origin: 'https://dashboard.example' } });
    expect(response.status).toBe(200);
    expect(conn.info().resets).toBe(1);
    // Without the header, a cross-site write is refused before the token is even looked at.
    const forged = await request(`${BASE}/auto/reset`, { method: 'POST', auth: null, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(forged.status).toBe(403);
  });
});

describe('SW1 OpenAPI documents (real @nestjs/swagger)', () => {
  const document = async (swagger: boolean | undefined) => {
    const { app } = await start({ connections: [AutoConnection] }, { token: TOKEN, ...(swagger === undefined ? {} : { swagger }) }, { controllers: [ThingsController] });
    return SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('host app').build());
  };

  it('SW1 the admin routes are left out by default; the host app\'s routes stay', async () => {
    const paths = Object.keys((await document(undefined)).paths);
    expect(paths).toContain('/things');
    expect(paths.filter((path) => path.startsWith(BASE))).toEqual([]);
  });

  it('SW1 with swagger: true they are in, tagged connections-admin', async () => {
    const doc = await document(true);
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining([BASE, `${BASE}/{name}`, `${BASE}/{name}/reset`, `${BASE}/reset`, `${BASE}/health`, `${BASE}/events`]));
    expect(doc.paths[`${BASE}/{name}/reset`].post!.tags).toEqual(['connections-admin']);
  });
});
