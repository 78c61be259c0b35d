import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the package by its public names (`nestjs-connections`, `nestjs-connections/sql`...),
// as users do; each name maps to the source of the entry point that package.json's `exports` builds.
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  name: string;
  exports: Record<string, string | { default: string }>;
};
const alias = Object.entries(pkg.exports)
  .filter((entry): entry is [string, { default: string }] => typeof entry[1] !== 'string')
  .map(([subpath, target]) => ({
    find: new RegExp(`^${pkg.name}${subpath.slice(1).replace('/', '\\/')}$`),
    replacement: fileURLToPath(new URL(target.default.replace('./dist/', './lib/').replace(/\.js$/, '.ts'), import.meta.url)),
  }));

export default defineConfig({
  // Nest's DI reads constructor parameter types: compile decorators the way tsc does.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: { alias },
  test: {
    include: ['test/**/*.spec.ts', 'examples/*/test/**/*.spec.ts'],
    exclude: ['test/pack/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
