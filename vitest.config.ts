import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Every integration test starts its own servers; two cores, so keep the fan-out modest.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
