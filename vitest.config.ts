import { defineConfig } from 'vitest/config';

// One vitest run for the whole repository, so one Postgres serves every test file; each file
// copies its own database from the migrated template (packages/postgres/src/testing.ts).
export default defineConfig({
  test: {
    include: ['{apps,packages}/*/src/**/*.test.ts', 'e2e/**/*.test.ts'],
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // Many tests run real processes against real time (SIGKILL under load, outages, browser
    // retries, throughput isolation); in CI a failed test is tried once more, and the report
    // still lists it as retried. Locally a failure stands at once.
    retry: process.env.CI ? 1 : 0,
  },
});
