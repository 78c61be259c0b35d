import 'reflect-metadata';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import knex, { type Knex } from 'knex';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithServices, SERVICES } from '../support/services.js';

/**
 * SX1: sample/secrets.example.toml copied to ./secrets.toml, as the README says, boots the
 * sample against the machine's PostgreSQL and Redis. The file is used as is; only the database
 * name comes from CONNECTIONS__NOTES__DATABASE (the environment layer over the file), so this
 * test owns a database nobody else uses.
 */
await describeWithServices(['postgres', 'redis'], 'SX1 the sample with secrets.example.toml as secrets.toml', () => {
  const database = `day1_notes_${randomBytes(4).toString('hex')}`;
  const workDir = mkdtempSync(join(tmpdir(), 'nc-sample-secrets-'));
  const previousCwd = process.cwd();
  const previousEnv = { db: process.env.CONNECTIONS__NOTES__DATABASE, token: process.env.ADMIN_TOKEN };
  const admin = knex({ client: 'pg', connection: { host: SERVICES.postgres.host, port: SERVICES.postgres.port, user: 'postgres', database: 'test' } });
  const redis = new Redis({ host: SERVICES.redis.host, port: SERVICES.redis.port, lazyConnect: true });
  const createdIds: number[] = [];
  let app: INestApplication | undefined;
  let base: string;

  beforeAll(async () => {
    await admin.raw(`create database ${database}`);
    copyFileSync(join(previousCwd, 'sample/secrets.example.toml'), join(workDir, 'secrets.toml'));
    process.chdir(workDir);
    process.env.CONNECTIONS__NOTES__DATABASE = database;
    process.env.ADMIN_TOKEN = 'sample-secrets-token';
    const { AppModule } = await import('../../sample/src/app.module.js');
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    process.chdir(previousCwd);
    for (const [key, value] of [['CONNECTIONS__NOTES__DATABASE', previousEnv.db], ['ADMIN_TOKEN', previousEnv.token]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    if (createdIds.length) {
      await redis.connect().catch(() => undefined);
      await redis.del(...createdIds.map((id) => `notes:${id}:views`));
    }
    redis.disconnect();
    await admin.raw(`drop database if exists ${database} with (force)`);
    await admin.destroy();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('SX1 boots, stores a note in PostgreSQL and counts its views in Redis', async () => {
    const created = await fetch(`${base}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'from the example secrets', body: 'pg + redis' }),
    });
    expect(created.status).toBe(201);
    const note = (await created.json()) as { id: number; title: string };
    createdIds.push(note.id);
    for (const views of [1, 2]) {
      const read = await fetch(`${base}/notes/${note.id}`);
      expect(await read.json()).toMatchObject({ id: note.id, title: 'from the example secrets', views });
    }
    const pg: Knex = knex({ client: 'pg', connection: { host: SERVICES.postgres.host, port: SERVICES.postgres.port, user: 'postgres', database } });
    try {
      expect(await pg('notes').select('title', 'body').where({ id: note.id })).toEqual([{ title: 'from the example secrets', body: 'pg + redis' }]);
    } finally {
      await pg.destroy();
    }
    await redis.connect();
    expect(await redis.get(`notes:${note.id}:views`)).toBe('2');
  });
});
