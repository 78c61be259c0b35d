import { defineConfig } from 'vitest/config';

// The pack smoke test (npm run test:pack): builds, packs and installs the tarball into
// throwaway apps, so it needs npm and minutes rather than seconds.
export default defineConfig({
  test: {
    include: ['test/pack/**/*.spec.ts'],
    testTimeout: 120_000,
    hookTimeout: 420_000,
    reporters: ['default'],
  },
});
