import 'reflect-metadata';
import type { DynamicModule, INestApplicationContext, Provider, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ConnectionRegistry, ConnectionsModule, type ConnectionsForRootOptions } from 'nestjs-connections';

/** Boots a Nest application context with `ConnectionsModule.forRoot(options)`. Secrets are off unless given. */
export async function bootApp(
  options: ConnectionsForRootOptions,
  extra: { imports?: Array<Type | DynamicModule>; providers?: Provider[] } = {},
): Promise<{ app: INestApplicationContext; registry: ConnectionRegistry }> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConnectionsModule.forRoot({ secrets: false, ...options }), ...(extra.imports ?? [])],
    providers: extra.providers ?? [],
  }).compile();
  const app = await moduleRef.init();
  return { app, registry: app.get(ConnectionRegistry) };
}
