import { defineConfig } from 'vitest/config';

// Pure tests run once; every test that touches storage runs on SQLite and, when
// TEST_DATABASE_URL is set, again on PostgreSQL.
const storage = ['test/**/*.test.ts'];
const dialects = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
if (!process.env.TEST_DATABASE_URL) {
  console.warn('TEST_DATABASE_URL is not set: storage tests run on SQLite only.');
}

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'sdk/**/*.test.ts', 'tools/**/*.test.ts'] } },
      ...dialects.map((dialect) => ({
        test: {
          name: dialect,
          include: storage,
          env: { VOUCH_TEST_DIALECT: dialect },
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      })),
    ],
  },
});
