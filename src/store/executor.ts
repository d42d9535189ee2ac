import type { Kysely } from 'kysely';
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

export function toPage<T>(rows: T[], limit: number): Page<T> {
  return { data: rows.slice(0, limit), hasMore: rows.length > limit };
}
