import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { BaseConnection, Connection, ConnectionRegistry, ConnectionsModule, InjectConnection } from 'nestjs-connections';

class TenantDb {
  static next = 1;
  readonly id = TenantDb.next++;
  constructor(readonly tenant: string) {}
}

@Connection({ name: 'tenant-db', keyed: {} })
class TenantDbConnection extends BaseConnection<TenantDb> {
  protected override async _connect(_options: object, { key }: { key?: string }): Promise<TenantDb> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return new TenantDb(key!);
  }
}

@Controller('t')
class TenantController {
  constructor(@InjectConnection('tenant-db') private readonly db: TenantDbConnection) {}

  // The handler never names the tenant: the key comes from keyFrom, through everything it awaits.
  @Get(':tenant/whoami')
  async whoami(@Param('tenant') tenant: string) {
    await new Promise((resolve) => setImmediate(resolve));
    const db = await this.db.resolve();
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 2));
    return this.db.use((again) => ({ asked: tenant, served: db.tenant, same: again === db }));
  }
}

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(keyFrom: (ctx: import('@nestjs/common').ExecutionContext) => string | undefined): Promise<string> {
  @Module({
    imports: [ConnectionsModule.forRoot({ secrets: false, connections: [TenantDbConnection], keyFrom })],
    controllers: [TenantController],
  })
  class TenantApp {}
  app = await NestFactory.create(TenantApp, { logger: false });
  await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
}

const fromPath = (ctx: import('@nestjs/common').ExecutionContext) =>
  (ctx.switchToHttp().getRequest() as { params: { tenant?: string } }).params.tenant;

describe('K3 keyFrom: a key per request, through a global interceptor', () => {
  it('10,000 randomized requests for A/B/C, interleaved: 0 answers from another key\'s instance', async () => {
    const base = await start(fromPath);
    const tenants = ['A', 'B', 'C'];
    let wrong = 0;
    let answered = 0;
    const queue = Array.from({ length: 10_000 }, (_, i) => tenants[(i * 7 + Math.floor(Math.random() * 3)) % 3]);
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let tenant = queue.pop(); tenant !== undefined; tenant = queue.pop()) {
          const body = (await (await fetch(`${base}/t/${tenant}/whoami`)).json()) as { asked: string; served: string; same: boolean };
          answered++;
          if (body.served !== body.asked || !body.same) wrong++;
        }
      }),
    );
    expect(answered).toBe(10_000);
    expect(wrong).toBe(0);
    const registry = app!.get(ConnectionRegistry);
    expect(registry.get('tenant-db').info()).toMatchObject({ keys: { count: 3 }, generation: 3 });
  }, 120_000);

  it('keyFrom throwing fails that request with a 500 that says so; other requests are unaffected', async () => {
    const base = await start((ctx) => {
      const tenant = fromPath(ctx);
      if (tenant === 'boom') throw new Error('no tenant header');
      return tenant;
    });
    const bad = await fetch(`${base}/t/boom/whoami`);
    expect(bad.status).toBe(500);
    expect(((await bad.json()) as { message: string }).message).toMatch(/keyFrom failed.*no tenant header/);
    const good = (await (await fetch(`${base}/t/A/whoami`)).json()) as { served: string };
    expect(good.served).toBe('A');
  });

  it('a request without a key (keyFrom answers undefined) using a keyed connection gets an error naming it', async () => {
    const base = await start(() => undefined);
    const response = await fetch(`${base}/t/A/whoami`);
    expect(response.status).toBe(500);
  });

  it('keyFrom that is not a function fails bootstrap (S4)', async () => {
    @Module({ imports: [ConnectionsModule.forRoot({ secrets: false, connections: [], keyFrom: 'tenant' as never })] })
    class Bad {}
    await expect(NestFactory.createApplicationContext(Bad, { logger: false, abortOnError: false })).rejects.toThrow(/keyFrom/);
  });
});
