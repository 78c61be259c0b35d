// The HTTP server of the end-to-end bench, run as a child process so that it has an event
// loop (and, on 2 cores, a core) to itself while autocannon loads it from the parent.
//   node server.mjs connection|plain
// GET /items/:id reads one row from PostgreSQL: through a SqlConnection (`query()`) or a plain
// knex provider. POST /bench/reset-loop?every=100&strategy=drop|swap starts resetting the
// connection every 100 ms,
// DELETE /bench/reset-loop stops and answers how many resets ran. Prints `LISTENING <port>`.
import 'reflect-metadata';
import { Controller, Delete, Get, Inject, Injectable, Module, Param, Post, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import knex from 'knex';
import { ConnectionRegistry, ConnectionsModule, InjectConnection } from 'nestjs-connections';
import { ITEMS_TABLE, POOL_MAX, pgUrl } from './postgres.mjs';

const variant = process.argv[2];
if (variant !== 'connection' && variant !== 'plain') throw new Error('usage: server.mjs connection|plain');
const SQL = `select id, name from ${ITEMS_TABLE} where id = ?`;

/** Applies a legacy method decorator by hand (plain JavaScript has no decorator syntax here). */
function decorateMethod(cls, method, ...decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, method);
  for (const decorator of decorators) decorator(cls.prototype, method, descriptor);
}

// Reads through a connection, the way an app using this package does.
class ConnectionItems {
  constructor(db) {
    this.db = db;
  }
  async find(id) {
    const [row] = await this.db.query(SQL, { params: [id] });
    return row ?? null;
  }
}
InjectConnection('bench')(ConnectionItems, undefined, 0);
Injectable()(ConnectionItems);

// The same read on a knex instance provided as a plain singleton: the baseline.
class PlainItems {
  constructor(db) {
    this.db = db;
  }
  async find(id) {
    const result = await this.db.raw(SQL, [id]);
    return result.rows[0] ?? null;
  }
}
Inject('KNEX')(PlainItems, undefined, 0);
Injectable()(PlainItems);

class ItemsController {
  constructor(items) {
    this.items = items;
  }
  get(id) {
    return this.items.find(Number(id));
  }
}
Inject('ITEMS')(ItemsController, undefined, 0);
Controller('items')(ItemsController);
decorateMethod(ItemsController, 'get', Get(':id'));
Param('id')(ItemsController.prototype, 'get', 0);

class ResetLoopController {
  timer = null;
  resets = 0;
  constructor(registry) {
    this.registry = registry;
  }
  start(every, strategy) {
    clearInterval(this.timer);
    this.resets = 0;
    this.timer = setInterval(() => {
      this.resets++;
      // A failed swap keeps the old instance (R7): the bench counts requests, not resets.
      this.registry.reset('bench', { strategy: strategy || 'drop' }).catch(() => undefined);
    }, Number(every) || 100);
    return { started: true };
  }
  stop() {
    clearInterval(this.timer);
    this.timer = null;
    return { resets: this.resets };
  }
}
Inject(ConnectionRegistry)(ResetLoopController, undefined, 0);
Controller('bench')(ResetLoopController);
decorateMethod(ResetLoopController, 'start', Post('reset-loop'));
Query('every')(ResetLoopController.prototype, 'start', 0);
Query('strategy')(ResetLoopController.prototype, 'start', 1);
decorateMethod(ResetLoopController, 'stop', Delete('reset-loop'));

const connectionModule = {
  imports: [
    ConnectionsModule.forRoot({
      secrets: false,
      connections: [{ name: 'bench', type: 'sql', options: { url: pgUrl('ncb-connection'), pool: { min: POOL_MAX, max: POOL_MAX } } }],
    }),
  ],
  controllers: [ItemsController, ResetLoopController],
  providers: [ConnectionItems, { provide: 'ITEMS', useExisting: ConnectionItems }],
};
const plainModule = {
  controllers: [ItemsController],
  providers: [
    {
      provide: 'KNEX',
      useFactory: () => knex({ client: 'pg', connection: { connectionString: pgUrl('ncb-plain') }, pool: { min: POOL_MAX, max: POOL_MAX } }),
    },
    PlainItems,
    { provide: 'ITEMS', useExisting: PlainItems },
  ],
};

class AppModule {}
Module(variant === 'connection' ? connectionModule : plainModule)(AppModule);

const app = await NestFactory.create(AppModule, { logger: ['error'] });
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
console.log(`LISTENING ${app.getHttpServer().address().port}`);
