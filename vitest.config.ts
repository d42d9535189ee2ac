import { defineConfig } from 'vitest/config';

// Pure tests run once; every test that touches storage runs on SQLite and, when
// TEST_DATABASE_URL is set, again on PostgreSQL. Pages in a real browser (test/browser) run once,
// on SQLite: what they check is the page, which the database does not change.
const storage = ['test/**/*.test.ts'];
const browser = ['test/browser/**/*.test.ts'];
const dialects = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
if (!process.env.TEST_DATABASE_URL) {
  console.warn('TEST_DATABASE_URL is not set: storage tests run on SQLite only.');
}

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'sdk/**/*.test.ts', 'tools/**/*.test.ts'] } },
      {
        test: {
          name: 'browser',
          include: browser,
          env: { VOUCH_TEST_DIALECT: 'sqlite' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      ...dialects.map((dialect) => ({
        test: {
          name: dialect,
          include: storage,
          exclude: browser,
          env: { VOUCH_TEST_DIALECT: dialect },
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      })),
    ],
  },
});
