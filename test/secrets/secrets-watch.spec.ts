import fs, { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { Connection, ConnectionConfigError, type ConnectionsForRootOptions } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { ControlledBase } from '../support/controlled-connection.js';
import { tempDir } from '../support/temp-files.js';
import { until } from '../support/until.js';
import { SecretVolume } from './support/secret-volume.js';
import { isolatedDirs } from './support/work-dir.js';

@Connection({ name: 'db' })
class Db extends ControlledBase {
  override auto = true;
}

@Connection({ name: 'other' })
class Other extends ControlledBase {
  override auto = true;
}

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  vi.restoreAllMocks();
});

async function boot(secrets: ConnectionsForRootOptions['secrets']) {
  const booted = await bootApp({ connections: [Db, Other], secrets });
  apps.push(booted.app);
  const db = booted.registry.get<Db>('db');
  const other = booted.registry.get<Other>('other');
  await db.resolve();
  await other.resolve();
  return { ...booted, db, other };
}

const toml = (db: string, other = 'same') => `[connections.db]\nurl = "${db}"\n[connections.other]\nurl = "${other}"\n`;

/** The "Secrets changed" lines logged from now on: one per reload that reset something. */
function reloadLog(): () => string[] {
  const spy = vi.spyOn(Logger.prototype, 'log');
  return () => spy.mock.calls.map((call) => String(call[0])).filter((line) => line.startsWith('Secrets changed'));
}

/**
 * "Exactly one reload" is a claim about the future: a later, distinguishable edit (of `other`
 * only) is waited for, and since changes are handled in order, a duplicate reload of the first
 * change would have shown by then.
 */
async function afterTwoChanges(db: Db, other: Other, editOther: () => void, reloads: () => string[]) {
  await until(() => db.info().resets === 1, 'db reset after the first change');
  editOther();
  await until(() => other.info().resets === 1, 'other reset after the second change');
  return {
    dbResets: db.info().resets,
    // drop: the reset connection reconnects only when used
    dbConnects: db.connects.length,
    dbUrl: (await db.resolve()).options.url,
    reloads: reloads(),
  };
}

/** What every W test expects: one reload per change, db reset once and now on its new url. */
const ONE_RELOAD_EACH = {
  dbResets: 1,
  dbConnects: 1,
  dbUrl: 'two',
  reloads: ['Secrets changed; reset: db', 'Secrets changed; reset: other'],
};

/** Replaces fs.watch (which the library imports from node:fs) while `fn` runs: no inotify at all. */
async function withoutFsWatch<T>(fn: (calls: () => number) => Promise<T>): Promise<T> {
  const real = fs.watch;
  let calls = 0;
  fs.watch = (() => {
    calls++;
    throw new Error('fs.watch is disabled in this test');
  }) as unknown as typeof fs.watch;
  syncBuiltinESMExports();
  try {
    return await fn(() => calls);
  } finally {
    fs.watch = real;
    syncBuiltinESMExports();
  }
}

describe('W: the secrets watcher follows how files really change', () => {
  it('W1 a kubelet-style ..data symlink swap of a mounted folder: exactly one reload, the changed connection reset once', async () => {
    const volume = SecretVolume.create(join(tempDir(), 'mounted'), { 'secrets.toml': toml('one') });
    const { db, other } = await boot({ files: [volume.path('secrets.toml')], env: {}, watch: { debounceMs: 20 } });
    const reloads = reloadLog();
    volume.update({ 'secrets.toml': toml('two') });
    expect(await afterTwoChanges(db, other, () => volume.update({ 'secrets.toml': toml('two', 'changed') }), reloads)).toEqual(ONE_RELOAD_EACH);
  });

  it('W2 with watch: { poll } the same swap is seen with no file system events at all (fs.watch disabled)', async () => {
    await withoutFsWatch(async (watchCalls) => {
      const volume = SecretVolume.create(join(tempDir(), 'mounted'), { 'secrets.toml': toml('one') });
      // Control: with events, the library does call the (disabled) fs.watch, and says it cannot watch.
      const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const control = await bootApp({ connections: [], secrets: { files: [volume.path('secrets.toml')], env: {}, watch: true } });
      await control.app.close();
      expect(watchCalls()).toBeGreaterThan(0);
      expect(warn.mock.calls.map((call) => String(call[0]))).toContain(
        `Secrets watcher cannot watch ${volume.dir} (fs.watch is disabled in this test): changes there are not seen; secrets.watch.poll reads the files on an interval instead`,
      );
      warn.mockRestore();
      const before = watchCalls();

      const { db, other } = await boot({ files: [volume.path('secrets.toml')], env: {}, watch: { poll: '200ms' } });
      const reloads = reloadLog();
      volume.update({ 'secrets.toml': toml('two') });
      expect(await afterTwoChanges(db, other, () => volume.update({ 'secrets.toml': toml('two', 'changed') }), reloads)).toEqual(ONE_RELOAD_EACH);
      expect(watchCalls()).toBe(before);
    });
  });

  it('W2 poll: removed keys are gone from _secrets after the change (Streamlit test_reload_secrets_when_file_changes)', async () => {
    const file = join(tempDir(), 'secrets.toml');
    writeFileSync(file, `[connections.db]\nurl = "one"\nextra = "x"\n`);
    const { db } = await boot({ files: [file], env: {}, watch: { poll: '100ms' } });
    writeFileSync(file, `[connections.db]\nurl = "two"\n`);
    await until(() => db.info().resets === 1, 'db reset');
    expect(db.secretsSection).toEqual({ url: 'two' });
  });

  it('W3 an atomic rename (temporary file written, renamed over): exactly one reload', async () => {
    const dir = tempDir();
    const file = join(dir, 'secrets.toml');
    writeFileSync(file, toml('one'));
    const { db, other } = await boot({ files: [file], env: {}, watch: { debounceMs: 20 } });
    const reloads = reloadLog();
    const replace = (text: string) => {
      const temp = join(dir, `.secrets.toml.${Math.random().toString(36).slice(2)}`);
      writeFileSync(temp, text);
      renameSync(temp, file);
    };
    replace(toml('two'));
    expect(await afterTwoChanges(db, other, () => replace(toml('two', 'changed')), reloads)).toEqual(ONE_RELOAD_EACH);
  });

  it('W4 the folder deleted and created again: the deletion keeps every value (rejected), the new file applies', async () => {
    const dir = join(tempDir(), 'config');
    mkdirSync(dir);
    const file = join(dir, 'secrets.toml');
    writeFileSync(file, toml('one'));
    const { db } = await boot({ files: [file], env: {}, watch: { debounceMs: 20 } });
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    rmSync(dir, { recursive: true });
    await until(() => db.info().config.status === 'rejected', 'the deletion rejected');
    expect(db.info().config.error).toMatch(/secrets\.toml (is gone|does not exist)/);
    expect(db.info().resets).toBe(0);
    expect((await db.resolve()).options.url).toBe('one');
    expect(errors.mock.calls.map((call) => String(call[0])).join('\n')).toContain(file);

    mkdirSync(dir);
    writeFileSync(file, toml('two'));
    await until(() => db.info().resets === 1, 'db reset once the file is back');
    expect((await db.resolve()).options.url).toBe('two');
    expect(db.info().config.status).toBe('current');
  });

  it('W4 the file deleted and created again, twice: each time the new content applies', async () => {
    const file = join(tempDir(), 'secrets.toml');
    writeFileSync(file, toml('one'));
    const { db } = await boot({ files: [file], env: {}, watch: { debounceMs: 20 } });
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    for (const [n, url] of [[1, 'two'], [2, 'three']] as const) {
      rmSync(file);
      await until(() => db.info().config.status === 'rejected', `deletion ${n} rejected`);
      writeFileSync(file, toml(url));
      await until(() => db.info().resets === n, `db reset ${n}`);
      expect((await db.resolve()).options.url).toBe(url);
    }
  });

  it('W5 a default file (and its .streamlit folder) created after start is picked up', async () => {
    const dirs = isolatedDirs();
    const { db } = await boot({ env: {}, watch: { debounceMs: 20 } });
    expect(db.info().source).toBe('code');
    dirs.write('.streamlit/secrets.toml', toml('two'));
    await until(() => db.info().resets === 1, 'db reset');
    expect((await db.resolve()).options.url).toBe('two');
    expect(db.info().source).toBe(`${join('.streamlit', 'secrets.toml')} [connections.db]`);
  });

  it('W6 watch: { poll } below 100 ms is a ConnectionConfigError naming the key', async () => {
    const error = await bootApp({ connections: [Db], secrets: { env: {}, watch: { poll: '50ms' } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionConfigError);
    expect((error as ConnectionConfigError).key).toBe('secrets.watch.poll');
    expect((error as Error).message).toMatch(/at least 100 ms/);
  });
});
