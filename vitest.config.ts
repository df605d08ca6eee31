import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real PostgreSQL and one real MariaDB server per run, started from Debian's packages (test/harness),
    // and the playground built once for the end-to-end tests (test/e2e).
    globalSetup: ['test/harness/global-servers.ts', 'test/e2e/global-build.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
