import type { Kysely } from 'kysely';

// The counters of rate-limiter-flexible's PostgreSQL limiter, in the shape it expects (it is told
// the table exists, so nothing issues DDL at run time): `key` is the limit's prefix and the client
// (an API key id, a hashed address), `expire` the end of its window in epoch milliseconds. SQLite
// keeps its counters in memory and leaves the table empty; it exists on both so the schemas agree.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'varchar(255)', (col) => col.primaryKey())
    .addColumn('points', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
}
