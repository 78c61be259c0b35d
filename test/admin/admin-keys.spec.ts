import { describe, expect, it } from 'vitest';
import { BaseConnection, Connection } from 'nestjs-connections';
import { AutoConnection } from '../support/controlled-connection.js';
import { httpAppPerTest } from './http-app.js';

const BASE = '/admin/connections';
const start = httpAppPerTest();

@Connection({ name: 'tenants', keyed: { maxEntries: 10 } })
class TenantsConnection extends BaseConnection<object> {
  protected override _connect(_options: object, context: { key?: string }): object {
    if (context.key === 'broken') throw new Error('tenant database refused');
    return {};
  }
}

describe('AK1 GET /admin/connections/:name/keys', () => {
  it('AK1 pages a keyed connection\'s keys, most recently used first', async () => {
    const { request, app } = await start({ connections: [TenantsConnection, AutoConnection] });
    const tenants = app.get(TenantsConnection);
    for (const key of ['acme', 'globex', 'initech']) await tenants.for(key).resolve();
    const first = await request(`${BASE}/tenants/keys?limit=2`);
    expect(first.status).toBe(200);
    const page = (await first.json()) as { items: Array<{ key: string; state: string }>; next: string | null };
    expect(page.items.map((item) => [item.key, item.state])).toEqual([
      ['initech', 'connected'],
      ['globex', 'connected'],
    ]);
    expect(page.next).toEqual(expect.any(String));
    const second = (await (await request(`${BASE}/tenants/keys?limit=2&after=${encodeURIComponent(page.next!)}`)).json()) as { items: Array<{ key: string }> };
    expect(second.items.map((item) => item.key)).toEqual(['acme']);
  });

  it.each([
    ['a connection that is not keyed', `${BASE}/auto/keys`, 400],
    ['limit=0', `${BASE}/tenants/keys?limit=0`, 400],
    ['limit=abc', `${BASE}/tenants/keys?limit=abc`, 400],
    ['an unknown connection', `${BASE}/ghost/keys`, 404],
  ])('AK1 answers %s with a clear 4xx', async (_, path, status) => {
    const { request } = await start({ connections: [TenantsConnection, AutoConnection] });
    const response = await request(path);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { message: string }).message).toEqual(expect.any(String));
  });

  it('AK2 POST /:name/keys/:key/reset resets that key only; 400 for a connection that is not keyed', async () => {
    const { request, app } = await start({ connections: [TenantsConnection, AutoConnection] });
    const tenants = app.get(TenantsConnection);
    for (const key of ['acme', 'globex']) await tenants.for(key).resolve();
    const response = await request(`${BASE}/tenants/keys/acme/reset?strategy=swap`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'tenants', key: 'acme', reset: true, previousGeneration: 1, generation: 2 });
    expect(tenants.for('acme').generation).toBe(2);
    expect(tenants.for('globex').generation).toBe(1);
    const plain = await request(`${BASE}/auto/keys/acme/reset`, { method: 'POST' });
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { message: string }).message).toMatch(/auto.*not keyed/);
  });

  it('HM9 health of a keyed connection reports its key counts (failed keys included) without pinging each key', async () => {
    const { request, app } = await start({ connections: [TenantsConnection] });
    const tenants = app.get(TenantsConnection);
    await tenants.for('acme').resolve();
    await expect(tenants.for('broken').resolve()).rejects.toThrow('failed to connect');
    const response = await request(`${BASE}/health?connect=true`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { connections: Record<string, unknown> }).connections.tenants).toMatchObject({
      status: 'up',
      keys: 2,
      failedKeys: 1,
    });
  });
});
