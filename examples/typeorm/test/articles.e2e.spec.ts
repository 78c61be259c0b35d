import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The TypeORM example (an articles API in the RealWorld shape) over real HTTP, on its SQLite
 * default, in a temporary working directory (so ./secrets.toml cannot redirect it).
 */
describe('examples/typeorm: articles API over HTTP (SQLite default)', () => {
  const token = 'e2e-articles-token';
  const workDir = mkdtempSync(join(tmpdir(), 'nc-articles-'));
  const previousCwd = process.cwd();
  const previousToken = process.env.ADMIN_TOKEN;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    process.chdir(workDir);
    process.env.ADMIN_TOKEN = token;
    const { AppModule } = await import('../src/app.module.js');
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

  it('EX1 create, read, list, update, favorite (a transaction), query builder, delete', async () => {
    const created = await call('POST', '/api/articles', { article: { title: 'How to Train Your Dragon', description: 'Ever wonder how?', body: 'Very carefully.' } });
    expect(created.status).toBe(201);
    expect(created.body.article).toMatchObject({ slug: 'how-to-train-your-dragon', favoritesCount: 0 });
    const second = await call('POST', '/api/articles', { article: { title: 'How to train your dragon' } });
    expect(second.body.article.slug).toBe('how-to-train-your-dragon-2');

    expect((await call('GET', '/api/articles/how-to-train-your-dragon')).body.article.body).toBe('Very carefully.');
    const list = await call('GET', '/api/articles?limit=10');
    expect(list.body.articlesCount).toBe(2);
    expect(list.body.articles.map((a: { slug: string }) => a.slug)).toEqual(['how-to-train-your-dragon-2', 'how-to-train-your-dragon']);

    const updated = await call('PUT', '/api/articles/how-to-train-your-dragon', { article: { body: 'With patience.' } });
    expect(updated.body.article).toMatchObject({ body: 'With patience.', title: 'How to Train Your Dragon' });
    expect((await call('POST', '/api/articles/how-to-train-your-dragon/favorite')).body.article.favoritesCount).toBe(1);
    expect((await call('GET', '/api/articles/titles')).body.titles).toEqual(['How to Train Your Dragon', 'How to train your dragon']);

    expect((await call('DELETE', '/api/articles/how-to-train-your-dragon-2')).status).toBe(204);
    expect((await call('GET', '/api/articles/how-to-train-your-dragon-2')).status).toBe(404);
    expect((await call('POST', '/api/articles', { article: {} })).status).toBe(422);
  });

  it('EX2 a reset through the admin API while requests run: none fails, the data stays, and the app keeps serving on the new DataSource', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const before = (await call('GET', '/admin/connections/articles', undefined, auth)).body.generation as number;
    const requests = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0 ? call('POST', '/api/articles', { article: { title: `during reset ${i}` } }) : call('GET', '/api/articles?limit=5'),
    );
    const [swap, drop] = await Promise.all([
      call('POST', '/admin/connections/articles/reset?strategy=swap', undefined, auth),
      call('POST', '/admin/connections/articles/reset', undefined, auth),
    ]);
    expect([swap.status, drop.status]).toEqual([200, 200]);
    const answers = await Promise.all(requests);
    expect(answers.filter((answer) => answer.status >= 400)).toEqual([]);
    expect((await call('GET', '/api/articles?limit=1')).body.articlesCount).toBe(11);
    expect((await call('GET', '/admin/connections/articles', undefined, auth)).body.generation).toBeGreaterThan(before);
  });
});
