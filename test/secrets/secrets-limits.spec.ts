import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { Connection, ConnectionConfigError, type ConnectionsForRootOptions } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { ControlledBase } from '../support/controlled-connection.js';
import { tempDir, writeAtomic } from '../support/temp-files.js';

@Connection({ name: 'db' })
class Db extends ControlledBase {
  override auto = true;
}

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  vi.restoreAllMocks();
});

function file(text: string): string {
  const path = join(tempDir(), 'secrets.toml');
  writeFileSync(path, text);
  return path;
}

async function bootError(secrets: ConnectionsForRootOptions['secrets']): Promise<ConnectionConfigError> {
  const error = await bootApp({ connections: [Db], secrets }).then(
    async ({ app }) => {
      await app.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error, 'bootstrap must fail').toBeInstanceOf(ConnectionConfigError);
  return error as ConnectionConfigError;
}

const deepHeader = (levels: number) => `[connections.db]\nurl = "one"\n[${Array(levels).fill('a').join('.')}]\nx = 1\n`;

describe('TL: secrets files are read within a size and a depth limit', () => {
  it('TL1 a file over 1 MiB (default) fails bootstrap naming the file, before it is parsed', async () => {
    const path = file('');
    truncateSync(path, 50 * 1024 * 1024); // 50 MB, as in the report (sparse: cheap to make)
    const error = await bootError({ files: [path], env: {} });
    expect(error.key).toBe('secrets');
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/larger than 1048576 bytes \(secrets\.maxFileBytes\)/);
  });

  it('TL1 the limit is exact: maxFileBytes bytes are read, one more is refused', async () => {
    const text = `[connections.db]\nurl = "one"\n`;
    const ok = await bootApp({ connections: [Db], secrets: { files: [file(text)], env: {}, maxFileBytes: Buffer.byteLength(text) } });
    apps.push(ok.app);
    expect((await ok.registry.get<Db>('db').resolve()).options.url).toBe('one');
    const error = await bootError({ files: [file(text + ' ')], env: {}, maxFileBytes: Buffer.byteLength(text) });
    expect(error.message).toMatch(/larger than/);
  });

  it('TL2 a table header 20,000 levels deep is a ConnectionConfigError naming the file and line, not a RangeError', async () => {
    const path = file(deepHeader(20_000));
    const error = await bootError({ files: [path], env: {} });
    expect(error.key).toBe('secrets');
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/at line 3: .*over the limit of 32 \(secrets\.maxDepth\)/);
  });

  it('TL2 dotted keys, inline tables and arrays count towards the depth too, with their line', async () => {
    const cases = [
      `[connections.db]\n${Array(40).fill('k').join('.')} = 1\n`,
      `[connections.db]\nurl = "one"\nv = ${'['.repeat(40)}${']'.repeat(40)}\n`,
      `[connections.db]\nurl = "one"\nv = ${'{ a = '.repeat(40)}1${' }'.repeat(40)}\n`,
      `[connections.db]\nurl = "one"\nv = [\n  1,\n  ${'['.repeat(40)}${']'.repeat(40)}\n]\n`,
    ];
    const lines = [2, 3, 3, 5];
    for (const [index, text] of cases.entries()) {
      const error = await bootError({ files: [file(text)], env: {} });
      expect(error.message).toMatch(new RegExp(`at line ${lines[index]}: .*over the limit of 32`));
    }
  });

  it('TL2 the depth limit is exact, and brackets inside strings, quoted keys and comments do not count', async () => {
    // [connections.db.q] is 3 deep; with maxDepth 5, `v = [[1]]` reaches 5 and passes, `[[[1]]]` is 6.
    const noise = [
      `s = "[[[[[[[[{{{{{{ \\" [[[["`,
      `l = '[[[[[[[[[[[['`,
      `m = """\n[[[[[[[[[[\n{{{{{{{{ \\""" [[[[\n"""`,
      `ml = '''\n[[[[[[[[[[[[\n'''`,
      `"a.b.c.d.e.f.g" = 1`,
      `# [[[[[[[[[[[[[[[[ {{{{{{{{{{{{`,
    ].join('\n');
    const ok = await bootApp({
      connections: [Db],
      secrets: { files: [file(`[connections.db.q]\n${noise}\nv = [[1]]\n`)], env: {}, maxDepth: 5 },
    });
    apps.push(ok.app);
    expect(((await ok.registry.get<Db>('db').resolve()).options.q as Record<string, unknown>).v).toEqual([[1]]);
    const error = await bootError({ files: [file(`[connections.db.q]\n${noise}\nv = [[[1]]]\n`)], env: {}, maxDepth: 5 });
    expect(error.message).toMatch(/at line 13: .*over the limit of 5/);
  });

  it('TL3 on a reload, an oversized or too deep file keeps the previous values and is logged by file and line', async () => {
    const path = file(`[connections.db]\nurl = "one"\n`);
    const { app, registry } = await bootApp({ connections: [Db], secrets: { files: [path], env: {}, maxFileBytes: 50_000 } });
    apps.push(app);
    const db = registry.get<Db>('db');
    const first = await db.resolve();
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    for (const [text, message] of [
      [deepHeader(20_000), /at line 3: .*secrets\.maxDepth/],
      [`[connections.db]\nurl = "${'x'.repeat(60_000)}"\n`, /larger than 50000 bytes/],
    ] as const) {
      writeAtomic(path, text);
      expect(await registry.reloadSecrets()).toEqual([]);
      expect(db.info().config.status).toBe('rejected');
      expect(db.info().config.error).toMatch(message);
      expect(db.info().config.error).toContain(path);
      expect(await db.resolve()).toBe(first);
    }
    expect(errors.mock.calls).toHaveLength(2);
    expect(first.options.url).toBe('one');
  });

  it('TL4 bad limit values fail bootstrap naming the key', async () => {
    for (const [secrets, key] of [
      [{ maxFileBytes: 0 }, 'secrets.maxFileBytes'],
      [{ maxDepth: 1.5 }, 'secrets.maxDepth'],
      [{ watch: { poll: 'often' } }, 'secrets.watch.poll'],
      [{ watch: { pol: '1s' } }, 'secrets.watch.pol'],
    ] as const) {
      const error = await bootError({ env: {}, ...secrets } as ConnectionsForRootOptions['secrets']);
      expect(error.key).toBe(key);
    }
  });
});

/** A small seeded generator: the same documents every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['a', 'b', 'c.d', 'x y', 'ü', '[k]'];
const STRINGS = ['[[', '{ a = [', '"]]"', "'{'", 'plain', '# not a comment', '\\"[', 'line\n[[x]]\nbreak'];

function randomValue(next: () => number, depth: number): unknown {
  const roll = next();
  if (depth > 7 || roll < 0.35) return roll < 0.15 ? Math.floor(next() * 100) : STRINGS[Math.floor(next() * STRINGS.length)];
  if (roll < 0.6) {
    const table: Record<string, unknown> = {};
    const size = 1 + Math.floor(next() * 3);
    for (let i = 0; i < size; i++) table[KEYS[Math.floor(next() * KEYS.length)]] = randomValue(next, depth + 1);
    return table;
  }
  // Arrays of tables (written as [[...]] headers) and of mixed values.
  const tables = next() < 0.5;
  return Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
    tables ? { t: randomValue(next, depth + 1) } : randomValue(next, depth + 1),
  );
}

/** Containers below the document, as the recursive walks after parsing meet them. */
function depthOf(value: unknown): number {
  const children = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : null;
  if (children === null) return 0;
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('TL5 the depth check agrees with the parsed document', () => {
  it('TL5 on 150 random documents (headers, arrays of tables, inline nesting, brackets in strings): maxDepth = depth passes, depth - 1 fails', async () => {
    const next = random(12_345);
    const { stringify, parse } = await import('smol-toml');
    for (let n = 0; n < 150; n++) {
      const doc = { connections: { db: randomValue(next, 0) as object }, top: randomValue(next, 0) };
      if (typeof doc.connections.db !== 'object' || Array.isArray(doc.connections.db)) doc.connections.db = { v: doc.connections.db };
      const text = stringify(doc);
      const depth = depthOf(parse(text)) - 1;
      const path = file(text);
      const ok = await bootApp({ connections: [], secrets: { files: [path], env: {}, maxDepth: depth } }).catch((e: unknown) => e);
      expect(ok, `document ${n} (depth ${depth}) must pass:\n${text}`).not.toBeInstanceOf(Error);
      await (ok as { app: INestApplicationContext }).app.close();
      const error = await bootError({ files: [path], env: {}, maxDepth: depth - 1 });
      expect(error.message).toMatch(/secrets\.maxDepth/);
    }
  });
});
