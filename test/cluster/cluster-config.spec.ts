import { inspect } from 'node:util';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveClusterKey } from '../../lib/cluster/cluster-key.js';
import type { INestApplicationContext } from '@nestjs/common';
import { ClusterUnavailableError } from 'nestjs-connections/cluster';
import { ConnectionConfigError } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { AutoConnection } from '../support/controlled-connection.js';
import { tempDir } from '../support/temp-files.js';

const KEY = 'a-shared-key-for-the-tests-0123456789';
/** Nothing listens on port 1 of loopback: a broker that is down, refused at once. */
const DOWN = 'redis://127.0.0.1:1';

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function boot(cluster: Record<string, unknown>, secrets: unknown = false) {
  const booted = await bootApp({ connections: [AutoConnection], secrets, cluster } as never);
  apps.push(booted.app);
  return booted;
}

async function bootError(cluster: unknown, secrets: unknown = false): Promise<ConnectionConfigError> {
  const error = await bootApp({ connections: [AutoConnection], secrets, cluster } as never).then(
    (booted) => {
      apps.push(booted.app);
      return null;
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ConnectionConfigError);
  return error as ConnectionConfigError;
}

describe('cluster options (checked at bootstrap, naming the key)', () => {
  it('refuses to start a cluster without a key, saying where a key may come from', async () => {
    const error = await bootError({ transport: DOWN });
    expect(error.key).toBe('cluster.key');
    expect(error.message).toContain('CONNECTIONS_CLUSTER_KEY');
    expect(error.message).toContain('[cluster]');
  });

  it('refuses a short key without showing it', async () => {
    const error = await bootError({ transport: DOWN, key: 'short-secret' });
    expect(error.key).toBe('cluster.key');
    expect(error.message).toContain('at least 16 characters');
    expect(error.message).not.toContain('short-secret');
  });

  it.each([
    [{ transport: DOWN, key: KEY, heartbeet: 1 }, 'cluster.heartbeet'],
    [{ key: KEY }, 'cluster.transport'],
    [{ transport: 'kafka', key: KEY }, 'cluster.transport'],
    [{ transport: { type: 'redis', url: 'http://x' }, key: KEY }, 'cluster.transport.url'],
    [{ transport: { type: 'nats', servers: [] }, key: KEY }, 'cluster.transport.servers'],
    [{ transport: DOWN, key: KEY, instanceId: 'web.example.com' }, 'cluster.instanceId'],
    [{ transport: DOWN, key: KEY, channel: 'bad channel*' }, 'cluster.channel'],
    [{ transport: DOWN, key: KEY, ackTimeout: 'soon' }, 'cluster.ackTimeout'],
    [{ transport: DOWN, key: KEY, heartbeat: 10 }, 'cluster.heartbeat'],
    [{ transport: DOWN, key: KEY, insecure: 'yes' }, 'cluster.insecure'],
  ])('refuses %j, naming %s', async (cluster, key) => {
    expect((await bootError(cluster)).key).toBe(key);
  });

  it('starts without a key when insecure: true, and says the messages are not signed', async () => {
    const { registry } = await boot({ transport: DOWN, insecure: true, instanceId: 'solo' });
    expect(registry.cluster!.status()).toMatchObject({ instanceId: 'solo', signed: false });
  });

  it('generates an instance id from the host name, the pid and a random part', async () => {
    const { registry } = await boot({ transport: DOWN, key: KEY });
    expect(registry.cluster!.instanceId).toMatch(new RegExp(`^[A-Za-z0-9][A-Za-z0-9_-]*-${process.pid}-[0-9a-f]{6}$`));
  });
});

/** Temp dirs are removed after each test: each test writes its own file. */
function fromFile() {
  return file(`[cluster]\nkey = "key-from-the-secrets-file"\n`);
}

function file(text: string) {
  const path = join(tempDir(), 'secrets.toml');
  writeFileSync(path, text);
  return { path, required: true };
}

describe('the cluster key: option, then CONNECTIONS_CLUSTER_KEY, then [cluster] key of the secrets files', () => {

  it('takes the option first', async () => {
    const key = await resolveClusterKey(
      { option: 'key-from-the-option-0', env: { CONNECTIONS_CLUSTER_KEY: 'key-from-the-environment' }, files: [fromFile()] },
      false,
    );
    expect(key).toBe('key-from-the-option-0');
  });

  it('then the environment', async () => {
    const key = await resolveClusterKey(
      { option: undefined, env: { CONNECTIONS_CLUSTER_KEY: 'key-from-the-environment' }, files: [fromFile()] },
      false,
    );
    expect(key).toBe('key-from-the-environment');
  });

  it('then the last secrets file with a [cluster] key', async () => {
    const later = file(`[cluster]\nkey = "key-from-the-later-file"\n[connections.x]\nurl = "y"\n`);
    expect(await resolveClusterKey({ option: undefined, env: {}, files: [fromFile(), later] }, false)).toBe('key-from-the-later-file');
    expect(await resolveClusterKey({ option: undefined, env: null, files: [fromFile()] }, false)).toBe('key-from-the-secrets-file');
  });

  it('boots with the key of a secrets file', async () => {
    const { registry } = await boot({ transport: DOWN, instanceId: 'from-file' }, { files: [fromFile().path], env: false });
    expect(registry.cluster!.status().signed).toBe(true);
  });

  it('boots with the key of the CONNECTIONS_CLUSTER_KEY variable', async () => {
    const { registry } = await boot(
      { transport: DOWN, instanceId: 'from-env' },
      { env: { CONNECTIONS_CLUSTER_KEY: 'key-from-the-environment', UNRELATED: 'x' } },
    );
    expect(registry.cluster!.status().signed).toBe(true);
  });

  it('never shows the key in the status, JSON or inspect output', async () => {
    const { registry } = await boot({ transport: DOWN, key: KEY });
    const cluster = registry.cluster!;
    for (const text of [JSON.stringify(cluster), JSON.stringify(cluster.status()), inspect(cluster, { depth: 10 })]) {
      expect(text).not.toContain(KEY);
    }
  });
});

describe('a cluster whose broker is down at startup', () => {
  it('starts anyway, fails cluster resets at once naming the transport, and keeps local resets working', async () => {
    const { registry } = await boot({ transport: DOWN, key: KEY, ackTimeout: '5s' });
    expect(registry.cluster!.state).toBe('down');
    await registry.get('auto').resolve();
    const started = performance.now();
    const error = await registry.reset('auto', { scope: 'cluster' }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toBeInstanceOf(ClusterUnavailableError);
    expect((error as ClusterUnavailableError).transport).toBe('redis');
    expect((error as Error).message).toMatch(/Cluster transport "redis" is unavailable \(.*ECONNREFUSED.*\)/);
    await expect(registry.resetAll({ scope: 'cluster' })).rejects.toBeInstanceOf(ClusterUnavailableError);
    expect(await registry.reset('auto')).toMatchObject({ name: 'auto', reset: true });
  });

  it('scope "cluster" without a cluster option is a configuration error', async () => {
    const { app, registry } = await bootApp({ connections: [AutoConnection] });
    apps.push(app);
    expect(registry.cluster).toBeNull();
    await expect(registry.reset('auto', { scope: 'cluster' })).rejects.toThrow(/scope "cluster" needs ConnectionsModule.forRoot\(\{ cluster/);
  });
});
