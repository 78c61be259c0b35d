import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { tempDir } from '../../support/temp-files.js';

const restore: Array<() => void> = [];

/**
 * Runs the rest of the test in a fresh working directory with a fresh home directory (HOME),
 * so the default secrets files (`~/.streamlit/secrets.toml`, `.streamlit/secrets.toml`,
 * `secrets.toml`) are the test's own. Both are restored after the test.
 */
export function isolatedDirs(): { cwd: string; home: string; write(path: string, text: string): string } {
  const cwd = tempDir();
  const home = tempDir();
  const previousCwd = process.cwd();
  const previousHome = process.env.HOME;
  process.chdir(cwd);
  process.env.HOME = home;
  restore.push(() => {
    process.chdir(previousCwd);
    if (previousHome === undefined) delete process.env.HOME;
    else process.env.HOME = previousHome;
  });
  return {
    cwd,
    home,
    /** Writes a file (a path starting with `~/` is in the home directory, others in the working directory). */
    write(path: string, text: string): string {
      const full = path.startsWith('~/') ? join(home, path.slice(2)) : join(cwd, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
      return full;
    },
  };
}

afterEach(() => {
  for (const undo of restore.splice(0).toReversed()) undo();
});
