// Every entry point of package.json's `exports` loads in an app that installed none of the
// optional peers (drivers, terminus, otel): they are imported only when used.
import 'reflect-metadata';
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('nestjs-connections/package.json');
const loaded = [];
for (const subpath of Object.keys(pkg.exports).filter((s) => s !== './package.json')) {
  const specifier = subpath === '.' ? 'nestjs-connections' : `nestjs-connections/${subpath.slice(2)}`;
  const ns = await import(specifier);
  if (Object.keys(ns).length === 0) throw new Error(`${specifier} exports nothing`);
  loaded.push(subpath);
}
console.log(`ENTRY-POINTS-OK ${loaded.join(' ')}`);
