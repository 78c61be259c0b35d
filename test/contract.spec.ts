import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * CONTRACT.md is where the behaviour codes are defined. These checks keep it honest: a code
 * used in lib/ without a definition, a code defined but pinned by no test, or a "pinned by"
 * file that does not name the code, each fail here.
 */
const ROOT = new URL('../', import.meta.url).pathname;
const contract = readFileSync(join(ROOT, 'CONTRACT.md'), 'utf8');
const rows = [...contract.matchAll(/^\| ([A-Z]{1,2}\d{1,2}) \| (.+?) \| (.+?) \| (.+?) \|$/gm)].map(([, code, promise, keptIn, pinnedBy]) => ({
  code,
  promise,
  keptIn,
  pinnedBy: [...pinnedBy.matchAll(/`([^`]+)`/g)].map((m) => m[1]),
}));
const codes = new Set(rows.map((row) => row.code));
const prefixes = [...new Set(rows.map((row) => row.code.replace(/\d+$/, '')))];
const codePattern = new RegExp(`\\b(?:${prefixes.join('|')})\\d{1,2}\\b`, 'g');

function files(dir: string, ext: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(ext))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('CONTRACT.md', () => {
  it('defines codes, each once', () => {
    expect(rows.length).toBeGreaterThan(20);
    expect(codes.size).toBe(rows.length);
  });

  it('defines every behaviour code that lib/ cites', () => {
    const undefinedCodes = new Set<string>();
    for (const file of files('lib', '.ts')) {
      for (const [code] of readFileSync(file, 'utf8').matchAll(codePattern)) if (!codes.has(code)) undefinedCodes.add(`${code} (${file.slice(ROOT.length)})`);
    }
    expect([...undefinedCodes]).toEqual([]);
  });

  it('names, for every code, test files whose test titles cite that code', () => {
    const unpinned: string[] = [];
    for (const { code, pinnedBy } of rows) {
      const specs = pinnedBy.filter((path) => /^(test|examples)\/.+\.ts$/.test(path));
      if (specs.length === 0) unpinned.push(`${code}: no test file listed`);
      for (const spec of specs) {
        const text = readFileSync(join(ROOT, spec), 'utf8');
        // A title (of it/describe/describeWithServices) that starts with the code, or cites it in brackets.
        const cites = new RegExp(`['"\x60](?:[^'"\x60\\n]*[\\s(])?${code}\\b[^'"\x60\\n]*['"\x60]`);
        if (!cites.test(text)) unpinned.push(`${code}: ${spec} has no title citing it`);
      }
    }
    expect(unpinned).toEqual([]);
  });

  it('points at files that exist', () => {
    const missing: string[] = [];
    for (const { code, keptIn, pinnedBy } of rows) {
      for (const path of [...[...keptIn.matchAll(/`(lib\/[^`*]+\.ts)`/g)].map((m) => m[1]), ...pinnedBy]) {
        try {
          readFileSync(join(ROOT, path));
        } catch {
          missing.push(`${code}: ${path}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
