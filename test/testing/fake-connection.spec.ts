import 'reflect-metadata';
import net from 'node:net';
import { inspect } from 'node:util';
import { Test } from '@nestjs/testing';
import { afterEach, expect, it, vi } from 'vitest';
import {
  BaseConnection,
  Connection,
  ConnectionRegistry,
  ConnectionsModule,
  fakeConnection,
  getConnectionToken,
  type ConnectionEvent,
} from 'nestjs-connections';
import { describeWithServices, SERVICES } from '../support/services.js';

await describeWithServices([], 'F1 fakeConnection(raw) on its own', () => {
  it('F1 lazy, resolves to raw, resettable and counted (generation, info(), events) with no module', async () => {
    const raw = { id: 'raw-client' };
    const fake = fakeConnection(raw);
    expect(fake).toBeInstanceOf(BaseConnection);
    expect(fake.name).toBe('fake');
    expect(fake.info()).toMatchObject({ name: 'fake', type: 'fake', state: 'idle', generation: 0, connects: 0 });
    const events: ConnectionEvent[] = [];
    fake.events$.subscribe((event) => events.push(event));
    const [a, b] = await Promise.all([fake.resolve(), fake.resolve()]);
    expect(a).toBe(raw);
    expect(b).toBe(raw);
    expect(await fake.use((client) => client.id)).toBe('raw-client');
    expect(fake.info()).toMatchObject({ state: 'connected', generation: 1, connects: 1 });
    expect(await fake.reset()).toEqual({ name: 'fake', reset: true, previousGeneration: 1, generation: 1 });
    expect(fake.state).toBe('idle');
    expect(await fake.resolve()).toBe(raw);
    expect(fake.info()).toMatchObject({ generation: 2, connects: 2, resets: 1 });
    expect(events.map((event) => event.type)).toEqual(['connecting', 'connected', 'reset', 'connecting', 'connected']);
    expect(inspect(fake)).toContain("name: 'fake'");
  });

  it('F1 { name } names it', async () => {
    const fake = fakeConnection(42, { name: 'answer' });
    expect(fake.name).toBe('answer');
    expect(await fake.resolve()).toBe(42);
    expect(fake.info().name).toBe('answer');
  });
});

@Connection({ name: 'db', required: ['url'], eager: true })
class DbConnection extends BaseConnection<unknown, { url: string }> {
  protected async _connect(options: { url: string }): Promise<unknown> {
    // What a real one does: open a socket.
    const socket = net.connect(SERVICES.postgres.port, SERVICES.postgres.host);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return { socket, url: options.url };
  }
  protected override async _disconnect(raw: unknown): Promise<void> {
    (raw as { socket: net.Socket }).socket.destroy();
  }
}

await describeWithServices(['postgres', 'redis'], 'F2 an app whose connections are all overridden opens no socket', () => {
  let connects: ReturnType<typeof vi.spyOn> | null = null;
  afterEach(() => {
    connects?.mockRestore();
    connects = null;
  });

  const root = () =>
    ConnectionsModule.forRoot({
      secrets: false,
      connections: [
        DbConnection,
        { name: 'reports', type: 'sql', eager: true, options: { url: `postgres://postgres@127.0.0.1:${SERVICES.postgres.port}/test` } },
        { name: 'cache', type: 'redis', eager: true, options: { url: `redis://127.0.0.1:${SERVICES.redis.port}` } },
      ],
    });

  async function bootAndClose(overrideCache: boolean): Promise<number> {
    connects = vi.spyOn(net.Socket.prototype, 'connect');
    let builder = Test.createTestingModule({ imports: [root()] })
      .overrideProvider(DbConnection)
      .useValue(fakeConnection({ db: true }))
      .overrideProvider(getConnectionToken('reports'))
      .useFactory({ factory: () => fakeConnection({ reports: true }) });
    if (overrideCache) builder = builder.overrideProvider(getConnectionToken('cache')).useValue({ get: () => 'cached' });
    const app = await (await builder.compile()).init();
    const registry = app.get(ConnectionRegistry);
    expect(await registry.get('db').resolve()).toEqual({ db: true });
    expect(await registry.get('reports').resolve()).toEqual({ reports: true });
    await registry.resetAll();
    await app.close();
    return connects.mock.calls.length;
  }

  it('F2 eager class, SQL and Redis connections, all overridden: boot, use, reset, close with zero net.Socket connects', async () => {
    expect(await bootAndClose(true)).toBe(0);
  });

  it('F2 control: the same app with the Redis declaration not overridden does open a socket (the count works)', async () => {
    expect(await bootAndClose(false)).toBeGreaterThan(0);
  });
});
