import { rmSync, truncateSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { Connection, type ConnectionInfo, type ConnectionsForRootOptions } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { ControlledBase } from '../support/controlled-connection.js';
import { flush } from '../support/deferred.js';
import { tempDir, writeAtomic } from '../support/temp-files.js';
import { until } from '../support/until.js';
import { startHttpApp, type HttpApp } from '../admin/http-app.js';
import { isolatedDirs } from './support/work-dir.js';

const SECRET = 'Sup3r-s3cret-pw';

/** Connects only when the test says so (see ControlledBase): a slow `_connect` driven by deferred promises. */
@Connection({ name: 'db' })
class Db extends ControlledBase {}

@Connection({ name: 'other' })
class Other extends ControlledBase {
  override auto = true;
}

/** A connection whose code default is SQLite, as the sample's notes database is. */
@Connection({ name: 'notes', options: { dialect: 'sqlite', database: 'notes.db' } })
class Notes extends ControlledBase {
  override auto = true;
}

const apps: INestApplicationContext[] = [];
let http: HttpApp | undefined;
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await http?.app.close();
  http = undefined;
  vi.restoreAllMocks();
});

/** A watch that never fires on its own: these tests call reloadSecrets() themselves, at chosen moments. */
const MANUAL = { debounceMs: 2_000_000_000 };

/**
 * Lets a reload that was started read its files and act: file reads go through the thread pool
 * in order, so once a few reads issued after it are done, so is its own. Used only to give a
 * wrong (unserialized) implementation the chance to start a second connect.
 */
async function settleIo(file: string): Promise<void> {
  for (let i = 0; i < 4; i++) await readFile(file);
  await flush();
}

async function boot(options: ConnectionsForRootOptions) {
  const booted = await bootApp(options);
  apps.push(booted.app);
  return booted;
}

function logs() {
  const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  const lines = (spy: typeof error) => spy.mock.calls.map((call) => String(call[0]));
  return { errors: () => lines(error), logs: () => lines(log) };
}

const dbToml = (url: string, password = SECRET) => `[connections.db]\nurl = "${url}"\npassword = "${password}"\n`;

describe('C: a rejected reload stays visible in info().config until a reload applies', () => {
  it('C1 info().config is current at bootstrap, rejected (masked error, file and line) after a malformed edit, current again after a good one', async () => {
    const file = join(tempDir(), 'secrets.toml');
    writeFileSync(file, dbToml('one'));
    const { registry } = await boot({ connections: [Db, Other], secrets: { files: [file], env: {}, watch: MANUAL } });
    const db = registry.get<Db>('db');
    const booted = db.info().config;
    expect(booted).toEqual({ status: 'current', at: expect.any(String), error: null });

    const out = logs();
    writeAtomic(file, `[connections.db]\nurl = "two"\npassword = "${SECRET}-new\n`);
    expect(await registry.reloadSecrets()).toEqual([]);
    const rejected = db.info().config;
    expect(rejected.status).toBe('rejected');
    expect(rejected.error).toContain(file);
    expect(rejected.error).toMatch(/line 3/);
    expect(Date.parse(rejected.at)).toBeGreaterThanOrEqual(Date.parse(booted.at));
    // Every connection shows it: nothing of the file was applied.
    expect(registry.get('other').info().config.status).toBe('rejected');
    expect(JSON.stringify(registry.list())).not.toContain(SECRET);
    expect(out.errors()).toHaveLength(1);
    expect(out.errors()[0]).not.toContain(SECRET);
    expect(out.logs()).toEqual([]);
    // Still rejected after an unrelated reconnect: the state on disk is still not what runs.
    await db.reset();
    expect(db.info().config.status).toBe('rejected');

    writeAtomic(file, dbToml('two'));
    expect(await registry.reloadSecrets()).toEqual(['db']);
    expect(db.info().config).toEqual({ status: 'current', at: expect.any(String), error: null });
    expect(registry.get('other').info().config.status).toBe('current');
    expect(out.logs()).toEqual(['Secrets changed; reset: db']);
  });

  it('C1 a restored file that changes nothing still makes the config current again, and says so', async () => {
    const file = join(tempDir(), 'secrets.toml');
    writeFileSync(file, dbToml('one'));
    const { registry } = await boot({ connections: [Db], secrets: { files: [file], env: {}, watch: MANUAL } });
    const out = logs();
    writeAtomic(file, `[connections.db\n`);
    await registry.reloadSecrets();
    writeAtomic(file, dbToml('one'));
    expect(await registry.reloadSecrets()).toEqual([]);
    expect(registry.get('db').info().config.status).toBe('current');
    expect(out.logs()).toEqual(['Secrets reloaded; the files apply again, no connection changed']);
  });

  it('C2 swap: new options that do not connect keep the instance and the previous options, show rejected, and no log line says it was reset', async () => {
    const file = join(tempDir(), 'secrets.toml');
    writeFileSync(file, dbToml('one') + `[connections.other]\nurl = "a"\n`);
    const { registry } = await boot({
      connections: [Db, Other],
      secrets: { files: [file], env: {}, watch: { ...MANUAL, strategy: 'swap' } },
    });
    const db = registry.get<Db>('db');
    const other = registry.get<Other>('other');
    const connecting = db.resolve();
    db.succeed(0);
    const first = await connecting;
    await other.resolve();

    const out = logs();
    writeAtomic(file, dbToml('two', 'wrong-password-1') + `[connections.other]\nurl = "b"\n`);
    const reload = registry.reloadSecrets();
    await until(() => db.connects.length === 2, 'the swap connect');
    expect(db.connects[1].options).toMatchObject({ url: 'two' });
    db.fail(1, new Error('password authentication failed for wrong-password-1'));
    expect(await reload).toEqual(['other']);

    expect(await db.resolve()).toBe(first);
    expect(first.disposed).toBe(0);
    expect((db as unknown as { _options: { url: string } })._options.url).toBe('one');
    const config = db.info().config;
    expect(config.status).toBe('rejected');
    expect(config.error).toContain('did not connect');
    expect(config.error).not.toContain('wrong-password-1');
    expect(other.info().config.status).toBe('current');
    expect(out.logs()).toEqual(['Secrets changed; reset: other']);
    expect(out.errors()).toHaveLength(1);
    expect(out.errors()[0]).toMatch(/"db" kept its instance and previous options/);
    expect(out.errors()[0]).not.toContain('wrong-password-1');

    // The next reload tries the file's options again; once they connect, the config is current.
    const retry = registry.reloadSecrets();
    await until(() => db.connects.length === 3, 'the retried swap connect');
    db.succeed(2);
    expect(await retry).toEqual(['db']);
    expect(db.info().config.status).toBe('current');
    expect((await db.resolve()).options.url).toBe('two');
  });

  it('C3 the admin API answers info() with config, so a rejected reload shows there', async () => {
    const file = join(tempDir(), 'secrets.toml');
    writeFileSync(file, dbToml('one'));
    http = await startHttpApp({ connections: [Other], secrets: { files: [file], env: {}, watch: MANUAL } });
    logs();
    writeAtomic(file, `[connections.other]\nurl = "x\n`);
    await http.registry.reloadSecrets();
    const body = (await (await http.request('/admin/connections/other')).json()) as ConnectionInfo;
    expect(body.config.status).toBe('rejected');
    expect(body.config.error).toMatch(/malformed TOML .* at line 2/);
    const list = (await (await http.request('/admin/connections')).json()) as ConnectionInfo[];
    expect(list[0].config.status).toBe('rejected');
  });
});

describe('RL: reloads are serialized and the last edit wins', () => {
  async function swapApp() {
    const file = join(tempDir(), 'secrets.toml');
    writeFileSync(file, dbToml('v1'));
    const { registry } = await boot({ connections: [Db], secrets: { files: [file], env: {}, watch: { ...MANUAL, strategy: 'swap' } } });
    const db = registry.get<Db>('db');
    const connecting = db.resolve();
    db.succeed(0);
    return { file, registry, db, first: await connecting };
  }

  it('RL1 two edits while the first swap is still connecting: the newest options end in service and bound', async () => {
    const { file, registry, db, first } = await swapApp();
    writeAtomic(file, dbToml('v2'));
    const a = registry.reloadSecrets();
    await until(() => db.connects.length === 2, 'the first swap connect');
    writeAtomic(file, dbToml('v3'));
    const b = registry.reloadSecrets();
    await settleIo(file);
    // Serialized: the second reload has not started a connect of its own alongside the first.
    expect(db.connects.length).toBe(2);
    const second = db.succeed(1); // the superseded swap finishes first, as it did in the report
    await until(() => db.connects.length === 3, 'the second swap connect');
    expect(db.connects[2].options).toMatchObject({ url: 'v3' });
    const third = db.succeed(2);
    expect(await a).toEqual(['db']);
    expect(await b).toEqual(['db']);
    expect(await db.resolve()).toBe(third);
    expect((db as unknown as { _options: { url: string } })._options.url).toBe('v3');
    await until(() => first.disposed === 1 && second.disposed === 1, 'both older instances disposed');
    expect(third.disposed).toBe(0);
    expect(db.info().config.status).toBe('current');
  });

  it('RL5 R7 a reload during a manual swap does not join it: the manual swap finishes, then the newest options are swapped in', async () => {
    const { file, registry, db } = await swapApp();
    const manual = db.reset({ strategy: 'swap' }); // an operator's swap, with the v1 options
    expect(db.connects).toHaveLength(2);
    writeAtomic(file, dbToml('v2'));
    const reload = registry.reloadSecrets();
    await settleIo(file);
    expect(db.connects).toHaveLength(2); // the reload's swap waits for the manual one
    const manualInstance = db.succeed(1);
    expect((await manual).generation).toBe(2);
    await until(() => db.connects.length === 3, "the reload's own swap connect");
    expect(db.connects[2].options).toMatchObject({ url: 'v2' });
    const newest = db.succeed(2);
    expect(await reload).toEqual(['db']);
    expect(await db.resolve()).toBe(newest);
    await until(() => manualInstance.disposed === 1, 'the manual swap instance disposed');
  });

  it('RL2 the first swap fails after the second edit: the newest options still win, the failure does not restore older ones over them', async () => {
    const { file, registry, db } = await swapApp();
    logs();
    writeAtomic(file, dbToml('v2'));
    const a = registry.reloadSecrets();
    await until(() => db.connects.length === 2, 'the first swap connect');
    writeAtomic(file, dbToml('v3'));
    const b = registry.reloadSecrets();
    await settleIo(file);
    expect(db.connects.length).toBe(2);
    db.fail(1);
    await until(() => db.connects.length === 3, 'the second swap connect');
    expect(db.connects[2].options).toMatchObject({ url: 'v3' });
    const third = db.succeed(2);
    await Promise.all([a, b]);
    expect(await db.resolve()).toBe(third);
    expect((db as unknown as { _options: { url: string } })._options.url).toBe('v3');
    expect(db.info().config.status).toBe('current');
  });

  it('RL3 many reload calls during a swap share one more run, which reads the newest file', async () => {
    const { file, registry, db } = await swapApp();
    writeAtomic(file, dbToml('v2'));
    const a = registry.reloadSecrets();
    await until(() => db.connects.length === 2, 'the first swap connect');
    const later = Array.from({ length: 20 }, (_, i) => {
      writeAtomic(file, dbToml(`v${i + 3}`));
      return registry.reloadSecrets();
    });
    db.succeed(1);
    await until(() => db.connects.length === 3, 'the shared second swap connect');
    expect(db.connects[2].options).toMatchObject({ url: 'v22' });
    db.succeed(2);
    const results = await Promise.all([a, ...later]);
    expect(results.every((names) => names.length === 1 && names[0] === 'db')).toBe(true);
    await flush();
    expect(db.connects.length).toBe(3);
  });

  it('RL4 a reload that finds a newer one waiting applies nothing itself: one swap, to the newest file', async () => {
    const { file, registry, db } = await swapApp();
    writeAtomic(file, dbToml('v2'));
    const a = registry.reloadSecrets();
    writeAtomic(file, dbToml('v3'));
    const b = registry.reloadSecrets(); // queued before the first finished reading the files
    await until(() => db.connects.length === 2, 'the swap connect');
    expect(db.connects[1].options).toMatchObject({ url: 'v3' });
    db.succeed(1);
    expect(await a).toEqual(['db']);
    expect(await b).toEqual(['db']);
    await flush();
    expect(db.connects.length).toBe(2);
    expect((await db.resolve()).options.url).toBe('v3');
  });
});

describe('V: a vanished or empty file keeps the previous values and says so', () => {
  it('V1 deleting the default secrets.toml keeps the PostgreSQL options (no fallback to the SQLite default), logs the file, never a value', async () => {
    const dirs = isolatedDirs();
    const file = dirs.write('secrets.toml', `[connections.notes]\ndialect = "postgresql"\nhost = "127.0.0.1"\npassword = "${SECRET}"\n`);
    const { registry } = await boot({ connections: [Notes], secrets: { env: {}, watch: MANUAL } });
    const notes = registry.get<Notes>('notes');
    expect((await notes.resolve()).options).toMatchObject({ dialect: 'postgresql' });
    const out = logs();
    rmSync(file);
    expect(await registry.reloadSecrets()).toEqual([]);
    expect((await notes.resolve()).options).toMatchObject({ dialect: 'postgresql', host: '127.0.0.1' });
    expect(notes.info()).toMatchObject({ resets: 0, config: { status: 'rejected' } });
    expect(out.errors()).toHaveLength(1);
    expect(out.errors()[0]).toContain(file);
    expect(out.errors()[0]).toMatch(/is gone/);
    expect(out.errors()[0]).not.toContain(SECRET);
  });

  it('V2 a watched file caught truncated mid-rewrite (empty) keeps the previous values; the finished rewrite applies', async () => {
    const file = join(tempDir(), 'secrets.toml');
    writeFileSync(file, `[connections.notes]\ndialect = "postgresql"\n`);
    const { registry } = await boot({ connections: [Notes], secrets: { files: [file], env: {}, watch: { debounceMs: 20 } } });
    const notes = registry.get<Notes>('notes');
    await notes.resolve();
    const out = logs();
    truncateSync(file, 0); // what an in-place rewrite looks like between its open() and its write()
    await until(() => notes.info().config.status === 'rejected', 'the empty file rejected');
    expect(out.errors()[0]).toMatch(/is empty/);
    expect(out.errors()[0]).toContain(file);
    expect((await notes.resolve()).options).toMatchObject({ dialect: 'postgresql' });
    expect(notes.info().resets).toBe(0);
    writeFileSync(file, `[connections.notes]\ndialect = "mysql"\n`);
    await until(() => notes.info().resets === 1, 'the finished rewrite applied');
    expect((await notes.resolve()).options).toMatchObject({ dialect: 'mysql' });
    expect(notes.info().config.status).toBe('current');
  });

  it('V3 a default file absent at bootstrap and still absent is no change (nothing rejected)', async () => {
    isolatedDirs();
    const { registry } = await boot({ connections: [Notes], secrets: { env: {}, watch: MANUAL } });
    expect(await registry.reloadSecrets()).toEqual([]);
    expect(registry.get('notes').info().config.status).toBe('current');
  });
});
