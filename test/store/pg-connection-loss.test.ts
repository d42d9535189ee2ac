import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.ts';
import { createTestStore, dialect, type TestStore } from '../support/store.ts';

// The pool's idle connections are terminated and used again at once, before their sockets have
// said they are closed: the race a failover or a connection reaper opens for every request in
// flight. Half of these statements failed before a repeatable first statement (BEGIN, a read
// outside a transaction) ran again on a fresh connection.

const ROUNDS = 20;
const POOL = 4;

describe.skipIf(dialect !== 'postgres')(
  'a PostgreSQL store whose pooled connections are terminated (PostgreSQL only: SQLite has no connection to lose)',
  () => {
    let base: TestStore;
    let store: Store;
    let admin: pg.Client;
    const name = `vouch_loss_${randomBytes(6).toString('hex')}`;
    beforeAll(async () => {
      base = await createTestStore();
      const url = new URL(base.url);
      url.searchParams.set('application_name', name);
      store = await openStore(url.toString(), { poolSize: POOL });
      admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
    });
    afterAll(async () => {
      await admin?.end();
      await store?.close();
      await base?.drop();
    });

    it('runs transactions and reads begun right after their connections were terminated', async () => {
      const failures: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Every connection of the pool busy at once, then idle in the pool.
        await Promise.all(
          Array.from({ length: POOL }, () =>
            store.transaction((trx) => sql`select pg_sleep(0.01)`.execute(trx)),
          ),
        );
        await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
          [name],
        );
        const results = await Promise.allSettled([
          ...Array.from({ length: POOL / 2 }, () =>
            store.transaction((trx) => trx.selectFrom('programs').select('id').execute()),
          ),
          ...Array.from({ length: POOL / 2 }, () => store.db.selectFrom('programs').select('id').execute()),
        ]);
        for (const result of results) {
          if (result.status === 'rejected') failures.push(String((result.reason as Error).message));
        }
      }
      expect(failures).toEqual([]);
    });

    it('fails a statement whose connection is lost mid-transaction as a retryable 503', async () => {
      const lost = await store
        .transaction(async (trx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          await admin.query('select pg_terminate_backend($1)', [rows[0]?.pid]);
          await trx.selectFrom('programs').select('id').execute();
        })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(lost).toMatchObject({ code: 'service_unavailable', status: 503 });
      // The pool opens a new connection for what comes next.
      expect(await store.db.selectFrom('programs').select('id').execute()).toEqual([]);
    });
  },
);
