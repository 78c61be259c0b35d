#!/usr/bin/env node
// The dependency rule of lib/, checked on every `npm run lint`:
//
//   ops/ (admin, health, telemetry)  ->  module/  ->  { config/, builtins/, cluster/ }  ->  core/  ->  { errors/, interfaces/, utils/ }
//
// A file may import from its own folder and from the layers below its own, never from a layer
// above, and never from a sibling on its own layer (config/, builtins/ and cluster/ meet only
// through core/). At the bottom, utils/ may use errors/ and interfaces/; those two import nothing
// of ours. The entry points (lib/index.ts, and each folder's index.ts named in package.json's
// `exports`) only re-export.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const LIB = resolve(fileURLToPath(import.meta.url), '../../lib');

/** What each top folder of lib/ may import besides itself. */
const ALLOWED = {
  errors: [],
  interfaces: [],
  utils: ['errors', 'interfaces'],
  core: ['errors', 'interfaces', 'utils'],
  config: ['core', 'errors', 'interfaces', 'utils'],
  builtins: ['core', 'errors', 'interfaces', 'utils'],
  cluster: ['core', 'errors', 'interfaces', 'utils'],
  module: ['config', 'builtins', 'cluster', 'core', 'errors', 'interfaces', 'utils'],
  ops: ['module', 'config', 'builtins', 'cluster', 'core', 'errors', 'interfaces', 'utils'],
};

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

const folderOf = (file) => relative(LIB, file).split(sep)[0];
const problems = [];
for (const file of sources(LIB)) {
  const from = folderOf(file);
  if (from === 'index.ts') continue; // the root entry point re-exports every layer's public part
  const allowed = ALLOWED[from];
  if (!allowed) {
    problems.push(`${relative(process.cwd(), file)}: lib/${from} is not a known layer (add it to scripts/check-layers.mjs)`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = resolve(dirname(file), match[1]);
    if (!target.startsWith(LIB + sep)) {
      problems.push(`${relative(process.cwd(), file)}: imports ${match[1]}, outside lib/`);
      continue;
    }
    const to = folderOf(target);
    if (to === from || allowed.includes(to)) continue;
    const why = ALLOWED[to]?.includes(from) ? 'points up' : 'crosses to a sibling layer';
    problems.push(`${relative(process.cwd(), file)}: imports lib/${to} (${match[1]}): lib/${from} -> lib/${to} ${why}`);
  }
}

if (problems.length) {
  console.error(`Layer rule broken (see scripts/check-layers.mjs):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('layers: every import of lib/ points down');
