import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { Connection, ConnectionsModule } from 'nestjs-connections';
import { ConnectionsAdminModule } from 'nestjs-connections/admin';
import { AutoConnection, ControlledBase } from '../support/controlled-connection.js';
import { httpAppPerTest, TOKEN } from './http-app.js';

const BASE = '/admin/connections';

/** Every route of the API, with the method it answers. */
const ROUTES: Array<[method: 'GET' | 'POST', path: string]> = [
  ['GET', BASE],
  ['GET', `${BASE}/auto`],
  ['GET', `${BASE}/health`],
  ['GET', `${BASE}/events`],
  ['POST', `${BASE}/reset`],
  ['POST', `${BASE}/auto/reset`],
];
const DATA_ROUTES = ROUTES;
const READ_ROUTES = ROUTES.filter(([method]) => method === 'GET');
const WRITE_ROUTES = ROUTES.filter(([method]) => method === 'POST');

@Connection({ name: 'ledger-primary' })
class LedgerConnection extends ControlledBase {}

@Injectable()
class RefuseGuard implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

/** Lets through requests that carry `x-admin: yes`: stands for a session or cookie guard. */
@Injectable()
class HeaderGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['x-admin'] === 'yes';
  }
}

const start = httpAppPerTest();

/** Sends the request and reads the body (event streams are cancelled after the headers). */
async function status(response: Response): Promise<number> {
  await response.body?.cancel();
  return response.status;
}

describe('mounting', () => {
  it('mounts nothing unless ConnectionsAdminModule is imported', async () => {
    const { request } = await start({ connections: [AutoConnection] }, null);
    for (const [method, path] of [...ROUTES, ['GET', `${BASE}/ui`] as const]) {
      expect(await status(await request(path, { method })), `${method} ${path}`).toBe(404);
    }
  });

  it('refuses to start without guard or token, with a message that says what to set', () => {
    expect(() => ConnectionsAdminModule.forRoot()).toThrow(/refuses to mount \/admin\/connections without authentication.*`token`.*`guard`.*`insecure: true`/);
    expect(() => ConnectionsAdminModule.forRoot({ token: '' })).toThrow(/without authentication/);
    expect(() => ConnectionsAdminModule.forRoot({ read: false, insecure: false })).toThrow(/without authentication/);
  });

  it('fails bootstrap when the token factory returns no token', async () => {
    const compile = Test.createTestingModule({
      imports: [
        ConnectionsModule.forRoot({ secrets: false, connections: [AutoConnection] }),
        ConnectionsAdminModule.forRoot({ token: async () => '' }),
      ],
    }).compile();
    await expect(compile.then((ref) => ref.init())).rejects.toThrow(/the `token` factory returned no token/);
  });

  it('with insecure: true serves without any credentials', async () => {
    const { request } = await start({ connections: [AutoConnection] }, { insecure: true });
    for (const [method, path] of DATA_ROUTES) {
      expect(await status(await request(path, { method, auth: null })), `${method} ${path}`).toBe(200);
    }
  });

  it('two mounts coexist, each with its own path, token and switches', async () => {
    const { request } = await start({ connections: [AutoConnection] }, { token: TOKEN }, {
      imports: [ConnectionsAdminModule.forRoot({ path: 'ro', token: 'read-only-token-xyz', write: false })],
    });
    expect(await status(await request(`${BASE}/auto/reset`, { method: 'POST' }))).toBe(200);
    expect(await status(await request('/ro/auto', { auth: 'Bearer read-only-token-xyz' }))).toBe(200);
    expect(await status(await request('/ro/auto'))).toBe(401); // the other mount's token
    expect(await status(await request('/ro/auto/reset', { method: 'POST', auth: 'Bearer read-only-token-xyz' }))).toBe(404);
  });

  it('mounts at a custom path, and only there', async () => {
    const { request } = await start({ connections: [AutoConnection] }, { token: TOKEN, path: '/ops/conns/' });
    expect(await status(await request('/ops/conns'))).toBe(200);
    expect(await status(await request('/ops/conns/auto'))).toBe(200);
    expect(await status(await request('/ops/conns/ui'))).toBe(200);
    expect(await status(await request('/ops/conns/health'))).toBe(200);
    expect(await status(await request(BASE))).toBe(404);
  });
});

describe('bearer token', () => {
  it.each(DATA_ROUTES)('%s %s answers 401 with a challenge when no token is sent', async (method, path) => {
    const { request, app } = await start({ connections: [AutoConnection] });
    const response = await request(path, { method, auth: null });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="connections-admin"');
    expect(await response.json()).toMatchObject({ statusCode: 401, message: expect.stringContaining('Missing bearer token') });
    expect(app.get(AutoConnection).connects).toHaveLength(0); // nothing ran
  });

  it.each([
    ['a wrong token', `Bearer wrong-token`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token with a suffix', `Bearer ${TOKEN}x`],
    ['another scheme', `Basic ${TOKEN}`],
    ['an empty bearer', 'Bearer '],
    ['the token alone', TOKEN],
  ])('answers 401 for %s on every route', async (_, auth) => {
    const { request } = await start({ connections: [AutoConnection] });
    for (const [method, path] of DATA_ROUTES) {
      expect(await status(await request(path, { method, auth })), `${method} ${path}`).toBe(401);
    }
  });

  it('accepts the token on every route, with any case of "Bearer"', async () => {
    const { request } = await start({ connections: [AutoConnection] });
    for (const [method, path] of DATA_ROUTES) {
      expect(await status(await request(path, { method, auth: `bearer ${TOKEN}` })), `${method} ${path}`).toBe(200);
    }
  });

  it('takes the token from an async factory, called per request so it can rotate', async () => {
    let current = 'first-token-abcdef';
    const { request } = await start({ connections: [AutoConnection] }, { token: async () => current });
    expect(await status(await request(BASE, { auth: 'Bearer first-token-abcdef' }))).toBe(200);
    current = 'second-token-abcdef';
    expect(await status(await request(BASE, { auth: 'Bearer first-token-abcdef' }))).toBe(401);
    expect(await status(await request(BASE, { auth: 'Bearer second-token-abcdef' }))).toBe(200);
  });

  it('does not require the token for the page, which holds no data', async () => {
    const { request } = await start({ connections: [AutoConnection, LedgerConnection] });
    const response = await request(`${BASE}/ui`, { auth: null });
    expect(response.status).toBe(200);
    expect(await response.text()).not.toContain('ledger-primary');
  });
});

describe('guard', () => {
  it.each([...DATA_ROUTES, ['GET', `${BASE}/ui`] as const])('%s %s answers 403 when the guard refuses', async (method, path) => {
    const { request, app } = await start({ connections: [AutoConnection] }, { guard: RefuseGuard });
    const response = await request(path, { method, auth: null });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ statusCode: 403 });
    expect(app.get(AutoConnection).connects).toHaveLength(0);
  });

  it('lets requests through when the guard accepts them', async () => {
    const { request } = await start({ connections: [AutoConnection] }, { guard: HeaderGuard });
    for (const [method, path] of DATA_ROUTES) {
      const allowed = await request(path, { method, auth: null, headers: { 'x-admin': 'yes' } });
      expect(await status(allowed), `${method} ${path}`).toBe(200);
      expect(await status(await request(path, { method, auth: null })), `${method} ${path}`).toBe(403);
    }
  });

  it('with a token too, requires both', async () => {
    const { request } = await start({ connections: [AutoConnection] }, { guard: HeaderGuard, token: TOKEN });
    expect(await status(await request(BASE, { headers: { 'x-admin': 'yes' } }))).toBe(200);
    expect(await status(await request(BASE, { auth: null, headers: { 'x-admin': 'yes' } }))).toBe(401);
    expect(await status(await request(BASE))).toBe(403);
  });
});

describe('read, write and ui switches', () => {
  it('read: false removes the read routes and the page (404), the reset routes stay', async () => {
    const { request } = await start({ connections: [AutoConnection] }, { token: TOKEN, read: false });
    for (const [method, path] of [...READ_ROUTES, ['GET', `${BASE}/ui`] as const]) {
      expect(await status(await request(path, { method })), `${method} ${path}`).toBe(404);
    }
    for (const [method, path] of WRITE_ROUTES) {
      expect(await status(await request(path, { method })), `${method} ${path}`).toBe(200);
    }
  });

  it('write: false removes the reset routes (404), the read routes stay', async () => {
    const { request, app } = await start({ connections: [AutoConnection] }, { token: TOKEN, write: false });
    const conn = app.get(AutoConnection);
    await conn.resolve();
    for (const [method, path] of WRITE_ROUTES) {
      expect(await status(await request(path, { method })), `${method} ${path}`).toBe(404);
    }
    expect(conn.generation).toBe(1);
    expect(conn.info().resets).toBe(0);
    for (const [method, path] of READ_ROUTES) {
      expect(await status(await request(path, { method })), `${method} ${path}`).toBe(200);
    }
    expect(await (await request(`${BASE}/ui`)).text()).toContain('data-write="false"');
  });

  it('ui: false removes the page only', async () => {
    const { request } = await start({ connections: [AutoConnection] }, { token: TOKEN, ui: false });
    expect(await status(await request(`${BASE}/ui`))).toBe(404);
    expect(await status(await request(BASE))).toBe(200);
  });
});
