import type { CompiledQuery, DialectAdapter } from 'kysely';
import type { Executor } from '../executor.ts';
import type { ClicksTable } from '../schema.ts';

export type ClickRow = ClicksTable;

const COLUMNS = [
  'id',
  'program_id',
  'participant_id',
  'code',
  'occurred_at',
  'ip_hash',
  'user_agent',
  'referer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
] as const satisfies readonly (keyof ClickRow)[];

// A batch is written as multi-row inserts of these sizes, largest first. Each size is compiled once
// per database and keeps one SQL text, so SQLite's statement cache holds it prepared; building the
// insert per batch cost Kysely a compile of every value, and SQLite a prepare of a statement whose
// text changed with the batch size. 250 rows x 13 columns stay well below both dialects'
// bound-parameter limits; the recorder's 1000-click batches are 4 statements.
const CHUNK_SIZES = [250, 50, 10, 1] as const;

// Keyed by the dialect adapter, which a Kysely instance shares with all its transactions. The
// compiled SQL is reused as is, so it assumes no Kysely plugin rewrites queries (none is installed).
const compiledByDatabase = new WeakMap<DialectAdapter, Map<number, CompiledQuery>>();

/** Compiles an insert of `size` rows and checks its parameters are the rows' values in column order. */
function compileInsert(db: Executor, size: number): CompiledQuery {
  const marker = (row: number, column: number) => `${row}:${column}`;
  const rows = Array.from({ length: size }, (_, row) => {
    const click: Record<string, string> = {};
    COLUMNS.forEach((name, column) => {
      click[name] = marker(row, column);
    });
    return click as unknown as ClickRow;
  });
  const query = db
    .insertInto('clicks')
    .values(rows)
    .onConflict((oc) => oc.column('id').doNothing())
    .compile();
  query.parameters.forEach((value, i) => {
    if (value !== marker(Math.floor(i / COLUMNS.length), i % COLUMNS.length)) {
      throw new Error(`clicks insert: unexpected parameter order at ${i}`);
    }
  });
  return query;
}

function insertStatement(db: Executor, size: number): CompiledQuery {
  const adapter = db.getExecutor().adapter;
  let compiled = compiledByDatabase.get(adapter);
  if (!compiled) {
    compiled = new Map();
    compiledByDatabase.set(adapter, compiled);
  }
  let query = compiled.get(size);
  if (!query) {
    query = compileInsert(db, size);
    compiled.set(size, query);
  }
  return query;
}

function parameters(rows: readonly ClickRow[], from: number, size: number): unknown[] {
  const values: unknown[] = new Array(size * COLUMNS.length);
  let i = 0;
  for (let row = from; row < from + size; row++) {
    const click = rows[row] as ClickRow;
    for (const column of COLUMNS) values[i++] = click[column];
  }
  return values;
}

/** Inserts clicks, skipping ids already stored, so writing a batch twice is harmless. */
export async function insertClicks(db: Executor, rows: readonly ClickRow[]): Promise<void> {
  let from = 0;
  for (const size of CHUNK_SIZES) {
    for (; rows.length - from >= size; from += size) {
      const query = insertStatement(db, size);
      await db.executeQuery({ ...query, parameters: parameters(rows, from, size) });
    }
  }
}
