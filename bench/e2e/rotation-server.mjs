// The HTTP server of the credentials bench, a child process (its own event loop) that
// autocannon loads from the parent. Env: PG_PORT, PG_SOCKET (the private cluster's socket
// folder, for the rotation's admin client), STATIC_ROLE/STATIC_PASSWORD, ROTATED_ROLE/ROTATED_PASSWORD.
// GET /items/:variant/:id reads one row through the SqlConnection named `variant`:
//   base      static password, no ttl
//   lazy      static password, ttl 2s (lazy: the first caller after expiry waits the connect)
//   ahead     static password, ttl 2s, refreshAhead 500ms
//   rotating  password function reading the current password, ttl 2s, refreshAhead 500ms; with
//             POST /bench/rotate?every=2000 the role's password changes every 2 s (DELETE stops it)
// POST /bench/park drops every connection (no background refresh between runs);
// GET /bench/events/:variant counts its events since the last park. Prints `LISTENING <port>`.
import 'reflect-metadata';
import { Controller, Delete, Get, Inject, Module, Param, Post, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { ConnectionRegistry, ConnectionsModule } from 'nestjs-connections';
import { ITEMS_TABLE } from './postgres.mjs';

const env = process.env;
const SQL = `select id, name from ${ITEMS_TABLE} where id = ?`;
const POOL = { min: 10, max: 10 };
const urlOf = (role, password, variant) =>
  `postgresql://${role}${password ? `:${encodeURIComponent(password)}` : ''}@127.0.0.1:${env.PG_PORT}/postgres?application_name=ncb-rot-${variant}`;
let current = env.ROTATED_PASSWORD;

const staticUrl = (variant) => urlOf(env.STATIC_ROLE, env.STATIC_PASSWORD, variant);
const connections = [
  { name: 'base', type: 'sql', options: { url: staticUrl('base'), pool: POOL } },
  { name: 'lazy', type: 'sql', ttl: '2s', options: { url: staticUrl('lazy'), pool: POOL } },
  { name: 'ahead', type: 'sql', ttl: '2s', refreshAhead: '500ms', options: { url: staticUrl('ahead'), pool: POOL } },
  {
    name: 'rotating',
    type: 'sql',
    ttl: '2s',
    refreshAhead: '500ms',
    options: { url: urlOf(env.ROTATED_ROLE, undefined, 'rotating'), password: () => current, pool: POOL },
  },
];

function decorateMethod(cls, method, ...decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, method);
  for (const decorator of decorators) decorator(cls.prototype, method, descriptor);
}

class BenchController {
  counts = {};
  timer = null;
  rotations = 0;
  constructor(registry) {
    this.registry = registry;
    registry.events$.subscribe((e) => {
      const of = (this.counts[e.name] ??= {});
      of[e.type] = (of[e.type] ?? 0) + 1;
    });
  }
  async item(variant, id) {
    const [row] = await this.registry.get(variant).query(SQL, { params: [Number(id)] });
    return row ?? null;
  }
  async park() {
    this.stopRotation();
    await this.registry.resetAll();
    this.counts = {};
    return { parked: true };
  }
  async rotate(every) {
    this.stopRotation();
    this.admin ??= await (async () => {
      const client = new Client({ host: env.PG_SOCKET, port: Number(env.PG_PORT), user: 'postgres', database: 'postgres' });
      await client.connect();
      return client;
    })();
    this.rotations = 0;
    this.timer = setInterval(async () => {
      const next = `r${Date.now()}${Math.random().toString(36).slice(2)}`;
      await this.admin.query(`alter role ${env.ROTATED_ROLE} password '${next}'`);
      current = next;
      this.rotations++;
    }, Number(every) || 2_000);
    return { started: true };
  }
  stopRotation() {
    clearInterval(this.timer);
    this.timer = null;
    return { rotations: this.rotations };
  }
  events(variant) {
    return this.counts[variant] ?? {};
  }
}
Inject(ConnectionRegistry)(BenchController, undefined, 0);
Controller()(BenchController);
decorateMethod(BenchController, 'item', Get('items/:variant/:id'));
Param('variant')(BenchController.prototype, 'item', 0);
Param('id')(BenchController.prototype, 'item', 1);
decorateMethod(BenchController, 'park', Post('bench/park'));
decorateMethod(BenchController, 'rotate', Post('bench/rotate'));
Query('every')(BenchController.prototype, 'rotate', 0);
decorateMethod(BenchController, 'stopRotation', Delete('bench/rotate'));
decorateMethod(BenchController, 'events', Get('bench/events/:variant'));
Param('variant')(BenchController.prototype, 'events', 0);

class AppModule {}
Module({ imports: [ConnectionsModule.forRoot({ secrets: false, connections })], controllers: [BenchController] })(AppModule);

const app = await NestFactory.create(AppModule, { logger: ['error'] });
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
console.log(`LISTENING ${app.getHttpServer().address().port}`);
