'use strict';
/**
 * The consumer scenario both throwaway apps run against the packed tarball. It gets the
 * modules from its caller, so the same steps run whether the package was loaded with
 * `import` (ESM app, Nest 12) or `require()` (CommonJS app, Nest 11). Plain JavaScript:
 * decorators are applied by calling them, as TypeScript's legacy decorators do.
 */
const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

async function runScenario({ label, common, core, lib }) {
  const { Module, Injectable } = common;
  const { NestFactory } = core;
  const { BaseConnection, Connection, ConnectionsModule, ConnectionRegistry, InjectConnection, ConnectionClosedError } =
    lib;

  let connects = 0;
  class SmokeConnection extends BaseConnection {
    async _connect(options) {
      connects++;
      return { ok: true, instance: connects, greeting: options.greeting };
    }
  }
  Connection({ name: 'smoke', options: { greeting: 'hello' } })(SmokeConnection);

  // A service that injects the connection by name, across the package boundary.
  class SmokeService {
    constructor(conn) {
      this.conn = conn;
    }
  }
  InjectConnection('smoke')(SmokeService, undefined, 0);
  Injectable()(SmokeService);

  class AppModule {}
  Module({
    imports: [ConnectionsModule.forRoot({ connections: [SmokeConnection], secrets: false })],
    providers: [SmokeService],
  })(AppModule);

  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const registry = app.get(ConnectionRegistry);
  const conn = registry.get('smoke');
  assert.equal(conn, app.get(SmokeConnection), 'injection by class gives the registered instance');
  assert.equal(conn, app.get(SmokeService).conn, '@InjectConnection gives the registered instance');
  assert.deepEqual(registry.names(), ['smoke']);
  assert.equal(conn.state, 'idle', 'nothing connects at bootstrap');
  assert.equal(connects, 0);

  const first = await conn.resolve();
  assert.deepEqual(first, { ok: true, instance: 1, greeting: 'hello' });
  assert.equal(await conn.resolve(), first, 'the second resolve returns the same instance');
  assert.equal(conn.generation, 1);

  const result = await registry.reset('smoke');
  assert.equal(result.name, 'smoke');
  assert.equal(result.reset, true);
  assert.equal(result.previousGeneration, 1);
  const second = await conn.use((raw) => raw);
  assert.notEqual(second, first, 'a reset gives a new instance');
  assert.equal(conn.generation, 2, 'the generation changes after a reset');
  assert.equal(registry.list()[0].connects, 2);

  await app.close();
  assert.equal(conn.state, 'closed');
  await assert.rejects(conn.resolve(), (err) => err instanceof ConnectionClosedError);

  // Read from disk: Nest 12's exports map does not expose its package.json.
  const nest = JSON.parse(readFileSync(join(__dirname, 'node_modules/@nestjs/core/package.json'), 'utf8')).version;
  console.log(`PACK-SMOKE-OK ${label} nest=${nest} generation=${conn.generation}`);
}

module.exports = { runScenario };
