import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ConnectionRegistry } from 'nestjs-connections';
import { ClusterUnavailableError } from 'nestjs-connections/cluster';
import { closedPort } from '../admin/http-app.js';
import { bootApp } from '../support/app.js';
import { AutoConnection } from '../support/controlled-connection.js';
import { describeWithServices } from '../support/services.js';
import { until } from '../support/until.js';

const KEY = 'the-hardening-cluster-key-0123456789';
const ACK_TIMEOUT_MS = 600;

/** A private redis-server on a spare port: this file stops it (SIGSTOP), never the shared one. */
async function startPrivateRedis(): Promise<{ port: number; process: ChildProcess }> {
  const port = await closedPort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
  probe.on('error', () => undefined);
  await until(async () => (await probe.ping().catch(() => null)) === 'PONG', 'the private redis-server to answer');
  probe.disconnect();
  return { port, process: child };
}

// Replicas in this process (one Nest application each) over a private Redis.
await describeWithServices(['redis'], 'H7 cluster hardening over a private Redis', () => {
  let redis: { port: number; process: ChildProcess };
  const apps: INestApplicationContext[] = [];
  const channel = `nc-test.harden-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterEach(async () => {
    redis.process.kill('SIGCONT');
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(() => {
    redis.process.kill('SIGCONT');
    redis.process.kill('SIGKILL');
  });

  async function replica(instanceId: string): Promise<ConnectionRegistry> {
    const { app, registry } = await bootApp({
      connections: [AutoConnection],
      cluster: { transport: { type: 'redis', url: `redis://127.0.0.1:${redis.port}` }, instanceId, channel, key: KEY, heartbeat: 200, ackTimeout: ACK_TIMEOUT_MS },
    } as never);
    apps.push(app);
    return registry;
  }

  async function pair(): Promise<[ConnectionRegistry, ConnectionRegistry]> {
    const a = await replica('web-1');
    const b = await replica('worker-1');
    await until(() => a.cluster!.status().members.length === 2 && b.cluster!.status().members.length === 2, 'both replicas to know each other');
    await a.get('auto').resolve();
    await b.get('auto').resolve();
    return [a, b];
  }

  it('H7 unknown: exact targets that name no live replica are listed in unknown; globs never are', async () => {
    const [a] = await pair();
    const result = await a.reset('auto', { scope: 'cluster', targets: ['worker-1', 'wroker-1', 'api-*', 'web-1'] });
    expect(result.unknown).toEqual(['wroker-1']);
    expect(result.replies.map((reply) => reply.instanceId).toSorted()).toEqual(['web-1', 'worker-1']);
    expect((await a.reset('auto', { scope: 'cluster' })).unknown).toEqual([]);
  });

  it('H7 ackTimeout: a reset sent while the broker hangs (SIGSTOP) answers by ackTimeout, and the caller does not reset itself afterwards', async () => {
    const [a] = await pair();
    const generation = a.get('auto').generation;
    redis.process.kill('SIGSTOP');
    const started = performance.now();
    const outcome = await a.reset('auto', { scope: 'cluster' }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(ACK_TIMEOUT_MS + 400);
    expect(outcome).toBeInstanceOf(ClusterUnavailableError);
    expect((outcome as Error).message).toContain('redis');
    redis.process.kill('SIGCONT');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(a.get('auto').generation).toBe(generation);
    expect(a.get('auto').info().resets).toBe(0);
  });

  it('H7 replay: a signed reset captured before a restart is refused (stale) by the restarted replica', async () => {
    const [a] = await pair();
    const tap = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true });
    await tap.connect();
    const captured: string[] = [];
    tap.on('message', (_channel: string, wire: string) => {
      if ((JSON.parse(JSON.parse(wire).m) as { kind: string }).kind === 'reset') captured.push(wire);
    });
    await tap.subscribe(channel);
    try {
      await a.reset('auto', { scope: 'cluster', targets: 'worker-1' });
      await until(() => captured.length === 1, 'the broadcast to be captured');
      // worker-1 restarts (a new process would have a fresh replay guard: so does a new app).
      await apps.splice(1, 1)[0].close();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const restarted = await replica('worker-1');
      await until(() => restarted.cluster!.state === 'joined', 'the restarted replica to join');
      await restarted.get('auto').resolve();
      const dropped = restarted.cluster!.status().dropped.stale;
      await tap.duplicate().publish(channel, captured[0]);
      await until(() => restarted.cluster!.status().dropped.stale > dropped, 'the replay to be dropped as stale');
      expect(restarted.get('auto').info().resets).toBe(0);
    } finally {
      tap.disconnect();
    }
  });
});
