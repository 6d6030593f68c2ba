import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // chDB segfaults on exit inside worker threads (see shared/docs/clickhouse-18.16-compat.md): forks only.
    pool: 'forks',
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.run/**', 'infra/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share one Kafka broker and one ClickHouse server; isolation is by unique
    // topic/database names, so files may run in parallel, but two cores is the CI budget.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
