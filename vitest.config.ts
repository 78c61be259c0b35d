import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Nest's DI reads constructor parameter types: compile decorators the way tsc does.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ['test/**/*.spec.ts'],
    exclude: ['test/pack/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
