import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import type { INestApplicationContext } from '@nestjs/common';
import { BaseConnection, Connection } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { describeWithServices } from '../support/services.js';
import { until } from '../support/until.js';

@Connection({ name: 'tenant-cache', keyed: {} })
class TenantCache extends BaseConnection<{ key: string }> {
  protected override _connect(_options: object, { key }: { key?: string }) {
    return { key: key! };
  }
}

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

await describeWithServices(['redis'], 'K6 a cluster reset of one key', () => {
  it('K6 registry.reset(name, { key, scope: "cluster" }) resets that key on every replica, and only it', async () => {
    const channel = `keyed-cluster-${randomBytes(4).toString('hex')}`;
    const cluster = (id: string) => ({ transport: 'redis' as const, channel, instanceId: id, insecure: true, heartbeat: '200ms', ackTimeout: '2s' });
    const replicas: Array<Awaited<ReturnType<typeof bootApp>>> = [];
    for (const id of ['k-a', 'k-b']) {
      const booted = await bootApp({ connections: [TenantCache], cluster: cluster(id) });
      apps.push(booted.app);
      replicas.push(booted);
    }
    const [a, b] = replicas.map(({ app }) => app.get(TenantCache));
    for (const conn of [a, b]) for (const key of ['acme', 'globex']) await conn.for(key).resolve();
    await until(() => (replicas[0].registry.cluster?.status().members.length ?? 0) >= 2, 'both replicas see each other');
    const result = await replicas[0].registry.reset('tenant-cache', { scope: 'cluster', key: 'acme' });
    expect(result.replies).toHaveLength(2);
    for (const reply of result.replies) expect(reply).toMatchObject({ ok: true, result: { name: 'tenant-cache', key: 'acme', reset: true } });
    for (const conn of [a, b]) {
      expect(conn.for('acme').state).toBe('idle');
      expect(conn.for('globex').state).toBe('connected');
    }
  });
});
