import type { Executor } from '../executor.ts';
import type { ClicksTable } from '../schema.ts';

export type ClickRow = ClicksTable;

// 13 columns a row: 500 rows stay well below SQLite's and PostgreSQL's bound-parameter limits.
const INSERT_CHUNK = 500;

export async function insertClicks(db: Executor, rows: readonly ClickRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db
      .insertInto('clicks')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

export async function findClick(db: Executor, id: string): Promise<ClickRow | undefined> {
  return db.selectFrom('clicks').selectAll().where('id', '=', id).executeTakeFirst();
}
