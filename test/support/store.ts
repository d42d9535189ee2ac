import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

export const dialect = (process.env.VOUCH_TEST_DIALECT ?? 'sqlite') as 'sqlite' | 'postgres';

/**
 * The key that seals the test databases' secrets, as VOUCH_ENCRYPTION_KEYS holds it: the test
 * stores open with it and every child process gets it (see cli.ts), on both dialects.
 */
export const TEST_ENCRYPTION_KEY = 'jLYygRWjP66aHIR6GkfbjuON-oaao2kAdcOuZf-88a4';
const encryptionKeys = [Buffer.from(TEST_ENCRYPTION_KEY, 'base64url')];

export interface TestStore extends Store {
  /** The URL a child process (the CLI) can open the same database with. */
  url: string;
  /** Closes the store and removes the database. */
  drop(): Promise<void>;
}

function postgresUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL must be set to run the postgres project');
  return url;
}

/**
 * A fresh, migrated database per call: a temporary SQLite file, or a PostgreSQL schema of its
 * own, so test files and parallel runs never see each other's rows.
 */
export async function createTestStore(options: { migrate?: boolean } = {}): Promise<TestStore> {
  const name = `vouch_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  let store: Store;
  let url: string;
  let cleanup: () => Promise<void>;
  if (dialect === 'postgres') {
    const base = postgresUrl();
    store = await openStore(base, { schema: name, poolSize: 8, encryptionKeys });
    const withSchema = new URL(base);
    withSchema.searchParams.set('options', `-c search_path=${name}`);
    url = withSchema.toString();
    cleanup = async () => {
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      await admin.end();
    };
  } else {
    const file = join(tmpdir(), `${name}.db`);
    url = `sqlite:${file}`;
    store = await openStore(url, { encryptionKeys });
    cleanup = async () => {
      for (const suffix of ['', '-wal', '-shm', '.key']) rmSync(file + suffix, { force: true });
    };
  }
  if (options.migrate !== false) await migrateToLatest(store.db);
  return {
    ...store,
    url,
    async drop() {
      await store.close();
      await cleanup();
    },
  };
}
