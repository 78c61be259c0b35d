import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from './support/run-command.js';
import { installThrowawayApp, type AppKind } from './support/throwaway-app.js';

const REPO = new URL('../../', import.meta.url).pathname;
// The repository's TypeScript checks the consumers' code, so the apps need not install it.
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');

interface PackedFile {
  path: string;
}

/**
 * Issue 2: what users install is the tarball, not the work tree. Build, pack, install the
 * tarball into two apps outside the repository and use it the way users do:
 * - an ESM app on Nest 12 that `import`s it;
 * - a CommonJS app on Nest 11 that `require()`s it (require(esm), Node >= 20.19).
 * Set KEEP_PACK_APPS=1 to keep the apps for a look afterwards.
 */
describe.concurrent('the packed package', () => {
  let root: string;
  let packed: PackedFile[];
  const apps: Record<AppKind, string> = { esm: '', cjs: '', 'esm-sql': '' };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nestjs-connections-pack-'));
    await runCommand('npm', ['run', 'build'], { cwd: REPO });
    const { stdout } = await runCommand('npm', ['pack', '--json', '--pack-destination', root], { cwd: REPO });
    const [report] = JSON.parse(stdout) as Array<{ filename: string; files: PackedFile[] }>;
    packed = report.files;
    const tarball = join(root, report.filename);
    // One install per app, both at once: the slowest part of the test.
    [apps.esm, apps.cjs, apps['esm-sql']] = await Promise.all([
      installThrowawayApp('esm', join(root, 'esm-app'), tarball),
      installThrowawayApp('cjs', join(root, 'cjs-app'), tarball),
      installThrowawayApp('esm-sql', join(root, 'esm-sql-app'), tarball),
    ]);
  });

  afterAll(async () => {
    if (!root) return;
    if (process.env.KEEP_PACK_APPS === '1') console.log(`[pack] apps kept in ${root}`);
    else await rm(root, { recursive: true, force: true });
  });

  it('ships the build and its types, not the sources or tests', () => {
    const paths = packed.map((file) => file.path);
    expect(paths).toContain('package.json');
    expect(paths).toContain('dist/index.js');
    expect(paths).toContain('dist/index.d.ts');
    expect(paths.filter((path) => !path.startsWith('dist/') && !/^(package\.json|README\.md|LICENSE)$/.test(path))).toEqual([]);
  });

  it('loads with import in an ESM app on Nest 12', async () => {
    const { stdout } = await runCommand('node', ['app.mjs'], { cwd: apps.esm, timeoutMs: 60_000 });
    expect(stdout).toMatch(/PACK-SMOKE-OK esm nest=12\.\d+\.\d+ generation=2/);
  });

  it('loads with require() in a CommonJS app on Nest 11', async () => {
    const { stdout } = await runCommand('node', ['app.cjs'], { cwd: apps.cjs, timeoutMs: 60_000 });
    expect(stdout).toMatch(/PACK-SMOKE-OK cjs nest=11\.\d+\.\d+ generation=2/);
  });

  it('the ESM app has no optional peer installed, and every entry point still loads', async () => {
    const { stdout } = await runCommand('node', ['entry-points.mjs'], { cwd: apps.esm, timeoutMs: 60_000 });
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const entryPoints = Object.keys(pkg.exports).filter((subpath) => subpath !== './package.json');
    expect(entryPoints).toEqual(expect.arrayContaining(['.', './sql', './redis', './typeorm', './drizzle', './admin', './terminus', './otel', './cluster']));
    expect(stdout.trim()).toBe(`ENTRY-POINTS-OK ${entryPoints.join(' ')}`);
  });

  it('loads the integrations with knex, pg and ioredis at their latest majors (esm-sql)', async () => {
    const { stdout } = await runCommand('node', ['app.mjs'], { cwd: apps['esm-sql'], timeoutMs: 60_000 });
    expect(stdout).toMatch(/PACK-SMOKE-OK esm-sql nest=12\.\d+\.\d+ generation=2/);
  });

  // strict, skipLibCheck false: the root's published types import no optional peer (esm, cjs
  // have none installed), and /sql, /redis type `resolve()` with the drivers' own types (esm-sql).
  it.each(['esm', 'cjs', 'esm-sql'] as const)('type-checks a strict TypeScript consumer with skipLibCheck false (%s)', async (kind) => {
    const check = runCommand('node', [TSC, '-p', 'tsconfig.json'], { cwd: apps[kind], timeoutMs: 90_000 });
    await expect(check).resolves.toMatchObject({ stdout: '' });
  });
});
