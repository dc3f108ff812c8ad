import { defineConfig } from 'vitest/config';

/**
 * Test files whose fleet hosts run network daemons on well-known ports (nginx, Apache on :80).
 * Fleet hosts share one network namespace, and Debian starts a daemon on `*:80` when its package is
 * installed, so two such files at once would take each other's port: they run one after another,
 * after every other file.
 */
const DAEMONS = ['test/e2e/django-app.test.ts', 'test/e2e/web-fleet.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: DAEMONS } },
      { extends: true, test: { name: 'daemons', include: DAEMONS, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
