import type { Executor } from '../executor.ts';
import { prepared } from '../prepared.ts';
import type { ClicksTable } from '../schema.ts';

export type ClickRow = ClicksTable;

// A batch is written as multi-row inserts of these sizes, largest first, so each size is compiled
// once and SQLite's statement cache keeps it prepared. 250 rows x 13 columns stay well below both
// dialects' bound-parameter limits; the recorder's 1000-click batches are 4 statements.
const CHUNK_SIZES = [250, 50, 10, 1] as const;

const insertChunk = prepared((db, rows: ClickRow[]) =>
  db
    .insertInto('clicks')
    .values(rows)
    .onConflict((oc) => oc.column('id').doNothing()),
);

/** Inserts clicks, skipping ids already stored, so writing a batch twice is harmless. */
export async function insertClicks(db: Executor, rows: readonly ClickRow[]): Promise<void> {
  let from = 0;
  for (const size of CHUNK_SIZES) {
    for (; rows.length - from >= size; from += size) await insertChunk(db, rows.slice(from, from + size));
  }
}
