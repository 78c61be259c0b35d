import 'reflect-metadata';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The sample app as `npm start` runs it, on its embedded SQLite default, driven over real
 * HTTP. It runs in a temporary working directory: the database file is created there on
 * first start, and a developer's own ./secrets.toml cannot redirect it.
 */
describe('sample notes app over HTTP (SQLite default)', () => {
  const token = 'e2e-ops-token';
  const workDir = mkdtempSync(join(tmpdir(), 'nc-sample-'));
  const previousCwd = process.cwd();
  const previousToken = process.env.ADMIN_TOKEN;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    process.chdir(workDir);
    process.env.ADMIN_TOKEN = token;
    const { AppModule } = await import('../../sample/src/app.module.js');
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    process.chdir(previousCwd);
    if (previousToken === undefined) delete process.env.ADMIN_TOKEN;
    else process.env.ADMIN_TOKEN = previousToken;
    rmSync(workDir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const ops = (method: string, path: string) => call(method, path, undefined, { authorization: `Bearer ${token}` });

  it('mounts the library admin API behind the same token', async () => {
    expect((await call('GET', '/admin/connections')).status).toBe(401);
    const listed = await ops('GET', '/admin/connections');
    expect(listed.status).toBe(200);
    expect((listed.body as Array<{ name: string }>).map((c) => c.name).sort()).toEqual(expect.arrayContaining(['clock', 'notes']));
    const reset = await ops('POST', '/admin/connections/clock/reset');
    expect(reset).toMatchObject({ status: 200, body: { name: 'clock' } });
    const page = await fetch(`${base}/admin/connections/ui`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });

  it('the first start created the SQLite file and its table', async () => {
    expect(existsSync(join(workDir, 'sample/data/notes.db'))).toBe(true);
    expect(await call('GET', '/notes')).toEqual({ status: 200, body: [] });
  });

  it('creates, lists, gets and deletes notes', async () => {
    const created = await call('POST', '/notes', { title: 'Groceries', body: 'milk, bread' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(Number), title: 'Groceries', body: 'milk, bread' });
    expect(Number.isNaN(Date.parse(created.body.createdAt))).toBe(false);
    const second = await call('POST', '/notes', { title: 'Call Ada' });
    const id = created.body.id as number;

    expect((await call('GET', '/notes')).body).toEqual([created.body, second.body]);
    expect(await call('GET', `/notes/${id}`)).toEqual({ status: 200, body: { ...created.body, views: 1 } });
    expect((await call('GET', `/notes/${id}`)).body.views).toBe(2);

    expect((await call('DELETE', `/notes/${id}`)).status).toBe(204);
    expect((await call('GET', `/notes/${id}`)).status).toBe(404);
    expect((await call('DELETE', `/notes/${id}`)).status).toBe(404);
    expect((await call('GET', '/notes')).body).toEqual([second.body]);
  });

  it('rejects a note without a title, and a non-numeric id', async () => {
    expect((await call('POST', '/notes', { body: 'no title' })).status).toBe(400);
    expect((await call('GET', '/notes/abc')).status).toBe(400);
  });

  it('the custom ClockConnection answers through its service', async () => {
    const { status, body } = await call('GET', '/clock');
    expect(status).toBe(200);
    expect(body).toMatchObject({ timeZone: 'UTC', generation: 1 });
    expect(Number.isNaN(Date.parse(body.now))).toBe(false);
  });

  it('the ops API refuses a request without the right bearer token', async () => {
    expect((await call('POST', '/ops/connections/clock/reset')).status).toBe(401);
    expect((await call('GET', '/ops/connections', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('POST /ops/connections/clock/reset replaces the clock: the next reading has a new generation', async () => {
    const before = (await call('GET', '/clock')).body;
    const reset = await ops('POST', '/ops/connections/clock/reset');
    expect(reset).toEqual({
      status: 200,
      body: { name: 'clock', reset: true, previousGeneration: before.generation, generation: before.generation },
    });
    const after = (await call('GET', '/clock')).body;
    expect(after.generation).toBe(before.generation + 1);
  });

  it('resetting the notes database reconnects on the next request and keeps the data', async () => {
    const before = (await call('GET', '/notes')).body;
    expect((await ops('POST', '/ops/connections/notes/reset?strategy=swap')).body).toMatchObject({
      name: 'notes',
      reset: true,
    });
    expect((await call('GET', '/notes')).body).toEqual(before);
    const list = (await ops('GET', '/ops/connections')).body as Array<{ name: string; generation: number }>;
    expect(list.find((c) => c.name === 'notes')?.generation).toBe(2);
  });

  it('resetting an unknown connection is a 404, a bad strategy a 400', async () => {
    expect((await ops('POST', '/ops/connections/nope/reset')).status).toBe(404);
    expect((await ops('POST', '/ops/connections/clock/reset?strategy=later')).status).toBe(400);
  });
});
