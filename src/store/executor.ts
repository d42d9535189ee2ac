import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from './schema.ts';

/** A connection or an open transaction: repositories run on whichever the entry point hands them. */
export type Executor = Kysely<Database>;

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
  if (page.startingAfter) paged = paged.where(id, '<', page.startingAfter);
  const rows = await paged.execute();
  return { data: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}
