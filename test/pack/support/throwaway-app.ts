import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './run-command.js';

const APPS = new URL('../apps/', import.meta.url).pathname;

export type AppKind = 'esm' | 'cjs' | 'esm-sql';

/** Files every throwaway app gets besides its own `package.json` and entry point. */
const SHARED_FILES: Array<[from: string, to: string]> = [
  ['scenario.cjs', 'scenario.cjs'],
  ['tsconfig.consumer.json', 'tsconfig.json'],
];

/** The TypeScript consumer each app type-checks: the root alone, or the integrations with their peers. */
const CONSUMER: Record<AppKind, string> = {
  esm: 'typed-consumer.ts.txt',
  cjs: 'typed-consumer.ts.txt',
  'esm-sql': 'sql-consumer.ts.txt',
};

/**
 * Lays out the app `apps/<kind>/` in `dir` (outside the repository, so nothing of ours leaks
 * into its module resolution) and installs its dependencies plus the packed tarball, in one
 * npm install.
 */
export async function installThrowawayApp(kind: AppKind, dir: string, tarball: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const entry = kind === 'cjs' ? 'app.cjs' : 'app.mjs';
  for (const file of ['package.json', entry, ...(kind === 'esm' ? ['entry-points.mjs'] : [])]) await copyFile(join(APPS, kind, file), join(dir, file));
  for (const [from, to] of SHARED_FILES) await copyFile(join(APPS, from), join(dir, to));
  await copyFile(join(APPS, CONSUMER[kind]), join(dir, 'typed-consumer.ts'));
  // A plain install, as a user's: no flag that relaxes peer checks, peers at the versions the app asks for.
  await runCommand('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], {
    cwd: dir,
    // CI sets npm_config_* for the repo's own install; the throwaway app must not inherit them.
    env: { npm_config_production: undefined, npm_config_omit: undefined },
  });
  return dir;
}
