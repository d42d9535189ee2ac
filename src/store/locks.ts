import { PostgresAdapter, sql } from 'kysely';
import type { Executor } from './executor.ts';

/**
 * Takes a row's lock until the transaction ends, on PostgreSQL, so that work reading totals it
 * then adds to (refunds of one purchase, a referrer's capped rewards) runs one at a time. SQLite
 * needs none: its writers are serialised already. FOR NO KEY UPDATE, not FOR UPDATE: it still
 * excludes itself, but not the key-share locks that inserts referring to the row take (a new
 * referral of the same referrer), which FOR UPDATE would turn into deadlocks.
 */
export async function lockRow(
  db: Executor,
  table: 'events' | 'participants' | 'programs' | 'rewards' | 'reward_pools',
  id: string,
): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await db.selectFrom(table).select('id').where('id', '=', id).forNoKeyUpdate().execute();
}

/**
 * Takes transaction-scoped locks on names that have no row of their own (a network a program's
 * sign-ups come from), on PostgreSQL: what counts earlier rows and then adds one runs one at a
 * time per name. In a fixed order, so two transactions never wait on each other's names.
 */
export async function lockNames(db: Executor, names: readonly string[]): Promise<void> {
  if (!isPostgres(db)) return;
  for (const name of [...names].sort()) {
    await sql`select pg_advisory_xact_lock(hashtextextended(${name}, 0))`.execute(db);
  }
}

export function isPostgres(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
