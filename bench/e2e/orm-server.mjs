// The HTTP server of the ORM bench, run as a child process (an event loop and a core of its own).
//   node orm-server.mjs typeorm-connection|typeorm-nest|drizzle-connection|drizzle-plain
// GET /items/:id reads one row from PostgreSQL:
// - typeorm-connection: a repository from @InjectConnectionRepository (a 'typeorm' connection);
// - typeorm-nest: the same repository from @nestjs/typeorm's @InjectRepository (the baseline);
// - drizzle-connection: a 'drizzle' connection, each read in conn.use();
// - drizzle-plain: a drizzle db on a pg Pool, provided as a plain singleton (the baseline).
// Every variant has a pool of POOL_MAX. Prints `LISTENING <port>`.
import 'reflect-metadata';
import { Controller, Get, Inject, Injectable, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { Pool } from 'pg';
import { EntitySchema } from 'typeorm';
import { ConnectionsModule, InjectConnection } from 'nestjs-connections';
import { InjectConnectionRepository } from 'nestjs-connections/typeorm';
import { ITEMS_TABLE, POOL_MAX, pgUrl } from './postgres.mjs';

const variant = process.argv[2];
const VARIANTS = ['typeorm-connection', 'typeorm-nest', 'drizzle-connection', 'drizzle-plain'];
if (!VARIANTS.includes(variant)) throw new Error(`usage: orm-server.mjs ${VARIANTS.join('|')}`);
const appName = `ncb-${variant}`;

// Plain JavaScript has no decorator syntax here: the entity is an EntitySchema, the table a drizzle table.
const Item = new EntitySchema({
  name: 'Item',
  tableName: ITEMS_TABLE,
  columns: { id: { type: 'int', primary: true }, name: { type: 'text' } },
});
const items = pgTable(ITEMS_TABLE, { id: integer('id').primaryKey(), name: text('name').notNull() });

function decorateMethod(cls, method, ...decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, method);
  for (const decorator of decorators) decorator(cls.prototype, method, descriptor);
}

class RepositoryItems {
  constructor(repo) {
    this.repo = repo;
  }
  find(id) {
    return this.repo.findOneBy({ id });
  }
}

class DrizzleConnectionItems {
  constructor(conn) {
    this.conn = conn;
  }
  async find(id) {
    const [row] = await this.conn.use((db) => db.select().from(items).where(eq(items.id, id)));
    return row ?? null;
  }
}

class DrizzlePlainItems {
  constructor(db) {
    this.db = db;
  }
  async find(id) {
    const [row] = await this.db.select().from(items).where(eq(items.id, id));
    return row ?? null;
  }
}

class ItemsController {
  constructor(reader) {
    this.reader = reader;
  }
  get(id) {
    return this.reader.find(Number(id));
  }
}
Inject('ITEMS')(ItemsController, undefined, 0);
Controller('items')(ItemsController);
decorateMethod(ItemsController, 'get', Get(':id'));
Param('id')(ItemsController.prototype, 'get', 0);

const typeOrmOptions = { url: pgUrl(appName), poolSize: POOL_MAX };
const modules = {
  'typeorm-connection': () => {
    InjectConnectionRepository(Item)(RepositoryItems, undefined, 0);
    Injectable()(RepositoryItems);
    return {
      imports: [ConnectionsModule.forRoot({ secrets: false, connections: [{ name: 'bench', type: 'typeorm', options: { type: 'postgres', ...typeOrmOptions } }] })],
      providers: [RepositoryItems, { provide: 'ITEMS', useExisting: RepositoryItems }],
    };
  },
  'typeorm-nest': () => {
    InjectRepository(Item)(RepositoryItems, undefined, 0);
    Injectable()(RepositoryItems);
    return {
      imports: [TypeOrmModule.forRoot({ type: 'postgres', ...typeOrmOptions, entities: [Item] }), TypeOrmModule.forFeature([Item])],
      providers: [RepositoryItems, { provide: 'ITEMS', useExisting: RepositoryItems }],
    };
  },
  'drizzle-connection': () => {
    InjectConnection('bench')(DrizzleConnectionItems, undefined, 0);
    Injectable()(DrizzleConnectionItems);
    return {
      imports: [
        ConnectionsModule.forRoot({
          secrets: false,
          connections: [{ name: 'bench', type: 'drizzle', options: { url: pgUrl(appName), schema: { items }, pool: { max: POOL_MAX } } }],
        }),
      ],
      providers: [DrizzleConnectionItems, { provide: 'ITEMS', useExisting: DrizzleConnectionItems }],
    };
  },
  'drizzle-plain': () => {
    Inject('DB')(DrizzlePlainItems, undefined, 0);
    Injectable()(DrizzlePlainItems);
    return {
      providers: [
        { provide: 'DB', useFactory: () => drizzle({ client: new Pool({ connectionString: pgUrl(appName), max: POOL_MAX }), schema: { items } }) },
        DrizzlePlainItems,
        { provide: 'ITEMS', useExisting: DrizzlePlainItems },
      ],
    };
  },
};

class AppModule {}
Module({ controllers: [ItemsController], ...modules[variant]() })(AppModule);

const app = await NestFactory.create(AppModule, { logger: ['error'] });
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
console.log(`LISTENING ${app.getHttpServer().address().port}`);
