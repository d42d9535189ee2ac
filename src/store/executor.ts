import { type Kysely, type SelectQueryBuilder, sql, type Transaction } from 'kysely';
import { AppError } from '../lib/errors.ts';
import type { Database } from './schema.ts';

/** A connection or an open transaction: repositories run on whichever the entry point hands them. */
export type Executor = Kysely<Database>;

/**
 * An open transaction, which only an entry point's `store.transaction` hands out: a service that
 * writes takes one, so that all it writes commits or rolls back together, and passing it the bare
 * connection (`store.db`) does not compile.
 */
export type InTransaction = Transaction<Database>;

/** Newest-first keyset pagination over time-ordered ids. */
export interface PageRequest {
  limit: number;
  startingAfter?: string | undefined;
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

/**
 * Runs a list query newest first by id. Ids are time-ordered, so `starting_after` is a stable
 * cursor; one row past the page tells whether more follow.
 */
export async function fetchPage<TB extends keyof Database, O>(
  query: SelectQueryBuilder<Database, TB, O>,
  page: PageRequest,
): Promise<Page<O>> {
  const id = sql.ref('id');
  let paged = query.orderBy(id, 'desc').limit(page.limit + 1);
  if (page.startingAfter) {
    await checkCursor(query, page.startingAfter);
    paged = paged.where(id, '<', page.startingAfter);
  }
  const rows = await paged.execute();
  return { data: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}

/**
 * A cursor must name an item of the listed kind: one that names nothing (a typo, an id of another
 * list) would otherwise read as "past the end" and answer an empty page. Any row of the table
 * counts, not only those the filter keeps, so a walk goes on when its last item changed status.
 */
async function checkCursor<TB extends keyof Database, O>(
  query: SelectQueryBuilder<Database, TB, O>,
  cursor: string,
): Promise<void> {
  const named = await query
    .clearWhere()
    .clearSelect()
    .select(sql<number>`1`.as('found'))
    .where(sql.ref('id'), '=', cursor)
    .executeTakeFirst();
  if (!named) {
    throw new AppError(
      'invalid_cursor',
      `starting_after '${cursor}' names no item of this list.`,
      'starting_after',
    );
  }
}
