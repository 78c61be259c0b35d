import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClusterResetResult, ClusterStatus } from 'nestjs-connections/cluster';
import type { ResetResult } from 'nestjs-connections';
import { startHttpApp, type HttpApp } from '../admin/http-app.js';
import { bootApp } from '../support/app.js';
import { AutoConnection } from '../support/controlled-connection.js';
import { describeWithServices } from '../support/services.js';
import { until } from '../support/until.js';

const BASE = '/admin/connections';
const KEY = 'the-admin-test-cluster-key-0123';

// The admin routes of a cluster: one replica serves HTTP, a second one (same process, its own
// Nest application) only listens on the broker.
await describeWithServices(['redis'], 'Admin API: cluster scope of the reset routes, and GET /cluster', () => {
  const channel = `nc-test.admin-${randomUUID().slice(0, 8)}`;
  const cluster = (instanceId: string) => ({ transport: 'redis', instanceId, channel, key: KEY, heartbeat: 200 });
  let http: HttpApp;
  let other: INestApplicationContext;

  beforeAll(async () => {
    http = await startHttpApp({ connections: [AutoConnection], cluster: cluster('web-1') } as never);
    other = (await bootApp({ connections: [AutoConnection], cluster: cluster('worker-1') } as never)).app;
    await until(() => http.registry.cluster!.status().members.length === 2, 'both replicas to know each other');
  });

  afterAll(async () => {
    await other?.close();
    await http?.app.close();
  });

  const post = (path: string) => http.request(`${BASE}${path}`, { method: 'POST' });

  it('POST /:name/reset?scope=cluster answers one entry per replica', async () => {
    const response = await post('/auto/reset?scope=cluster');
    expect(response.status).toBe(200);
    const body = (await response.json()) as ClusterResetResult;
    expect(body.replies.map((reply) => reply.instanceId).toSorted()).toEqual(['web-1', 'worker-1']);
    expect(body.missing).toEqual([]);
  });

  it('targets (comma-separated ids or globs) pick the replicas', async () => {
    const response = await post('/auto/reset?scope=cluster&targets=worker-*,nobody');
    const body = (await response.json()) as ClusterResetResult;
    expect(body.targets).toEqual(['worker-*', 'nobody']);
    expect(body.replies.map((reply) => reply.instanceId)).toEqual(['worker-1']);
  });

  it('H7 unknown: the admin answer lists exact targets that name no live replica', async () => {
    const response = await post('/auto/reset?scope=cluster&targets=worker-1,wroker-1,web-*');
    const body = (await response.json()) as ClusterResetResult;
    expect(body.unknown).toEqual(['wroker-1']);
    expect(body.replies.map((reply) => reply.instanceId).toSorted()).toEqual(['web-1', 'worker-1']);
  });

  it('POST /reset?scope=cluster resets every connection of every replica', async () => {
    const response = await post('/reset?scope=cluster&strategy=drop');
    expect(response.status).toBe(200);
    const body = (await response.json()) as ClusterResetResult<ResetResult[]>;
    expect(body.name).toBeNull();
    expect(body.replies).toHaveLength(2);
    expect(body.replies.every((reply) => reply.ok && reply.result.map((r) => r.name).join() === 'auto')).toBe(true);
  });

  it('without a scope the routes stay local', async () => {
    const response = await post('/auto/reset');
    expect(await response.json()).toMatchObject({ name: 'auto' });
  });

  it.each([
    ['/auto/reset?scope=everywhere', /Unknown reset scope/],
    ['/auto/reset?targets=web-1', /targets needs scope=cluster/],
    ['/auto/reset?scope=cluster&targets=a.b', /targets/],
  ])('%s is a 400', async (path, message) => {
    const response = await post(path);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(message);
  });

  it('GET /cluster lists the live replicas with ids, versions and last-seen times', async () => {
    const response = await http.request(`${BASE}/cluster`);
    expect(response.status).toBe(200);
    const status = (await response.json()) as ClusterStatus;
    expect(status).toMatchObject({ instanceId: 'web-1', transport: 'redis', channel, state: 'joined', signed: true });
    expect(status.members.map((m) => [m.instanceId, m.self])).toEqual([
      ['web-1', true],
      ['worker-1', false],
    ]);
    expect(status.members.every((m) => typeof m.version === 'string' && !Number.isNaN(Date.parse(m.lastSeen)))).toBe(true);
    expect(JSON.stringify(status)).not.toContain(KEY);
  });

  it('GET /cluster needs the token like every admin route', async () => {
    expect((await http.request(`${BASE}/cluster`, { auth: null })).status).toBe(401);
  });
});

it('GET /cluster is a 404 when the app has no cluster', async () => {
  const http = await startHttpApp({ connections: [AutoConnection] });
  try {
    expect((await http.request(`${BASE}/cluster`)).status).toBe(404);
  } finally {
    await http.app.close();
  }
});
