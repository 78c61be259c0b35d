import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

/**
 * The library as the replica processes import it (plain Node, no TS loader). In CI
 * `npm run build` runs before `npm test`, so `dist/` is fresh and used as is. When any
 * `lib/` source is newer than its `dist/` output (local work), the library is compiled —
 * emit only, type checking is `npm run typecheck`'s job — into a throwaway directory under
 * test/artifacts/ (inside the project, so the replicas resolve node_modules as usual).
 */
export async function compiledLibrary(): Promise<{ entry: string; dispose(): void }> {
  if (distIsFresh()) return { entry: pathToFileURL(join(ROOT, 'dist/index.js')).href, dispose() {} };
  const outDir = join(ROOT, 'test/artifacts', `cluster-lib-${process.pid}-${Date.now().toString(36)}`);
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const args = ['-p', join(ROOT, 'tsconfig.build.json'), '--noCheck', '--outDir', outDir];
  args.push('--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false');
  try {
    await promisify(execFile)(process.execPath, [tsc, ...args], { cwd: ROOT, timeout: 60_000 });
  } catch (err) {
    // Emit happens despite errors elsewhere in lib/ (another change in progress); only a
    // missing entry point is fatal.
    if (!existsSync(join(outDir, 'index.js'))) throw err;
  }
  return {
    entry: pathToFileURL(join(outDir, 'index.js')).href,
    dispose: () => rmSync(outDir, { recursive: true, force: true }),
  };
}

function distIsFresh(): boolean {
  const lib = join(ROOT, 'lib');
  for (const source of walk(lib)) {
    const output = join(ROOT, 'dist', relative(lib, source).replace(/\.ts$/, '.js'));
    if (!existsSync(output) || statSync(output).mtimeMs < statSync(source).mtimeMs) return false;
  }
  return true;
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}
