import { defineConfig } from 'vitest/config';

/**
 * Every etcd integration test runs twice: against Debian 12's etcd 3.4 (the `main`
 * project, with the rest of the suite) and against etcd 3.5 (the `etcd-3.5` project;
 * test/support/etcd-bin.ts picks the binaries from QUORUM_TEST_ETCD).
 */
const ETCD_TESTS = [
  'test/integration/etcd-*.test.ts',
  'test/integration/security-audit.test.ts',
  'test/integration/security-scan-memory.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Every integration test starts its own servers; two cores, so keep the fan-out modest.
    maxWorkers: 2,
    reporters: ['default'],
    globalSetup: ['test/support/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['test/**/*.test.ts'], env: { QUORUM_TEST_ETCD: '3.4' } },
      },
      {
        extends: true,
        test: { name: 'etcd-3.5', include: ETCD_TESTS, env: { QUORUM_TEST_ETCD: '3.5' } },
      },
    ],
  },
});
