import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../../lib/errors.ts';
import {
  checkExportTable,
  countExportable,
  cursorFrom,
  type ExportTable,
  exportColumns,
  exportPage,
} from '../../services/exports.ts';
import { configOrExit, openMigratedStore } from '../context.ts';

interface ExportOptions {
  since?: string;
  format: string;
  out: string;
  progress?: boolean;
}

const PAGE = 5000;

/**
 * `vouch export <table> --out F`: appends the table's rows after a cursor to F as NDJSON or CSV,
 * and keeps the cursor in F.cursor after every page. Run it again and it resumes there, so a
 * nightly job loads a warehouse incrementally, and an interrupted one loses nothing.
 */
export async function exportCommand(name: string, options: ExportOptions): Promise<void> {
  if (options.format !== 'ndjson' && options.format !== 'csv') fail('--format must be ndjson or csv');
  let table: ExportTable;
  try {
    table = checkExportTable(name);
  } catch (error) {
    fail(error instanceof AppError ? error.message : String(error));
  }
  const cursorFile = `${options.out}.cursor`;
  const saved = existsSync(cursorFile) ? readFileSync(cursorFile, 'utf8').trim() : undefined;
  const start = options.since ?? saved;
  const isTime = start !== undefined && !Number.isNaN(Date.parse(start)) && !start.includes('_');
  let cursor: string | null;
  try {
    cursor = cursorFrom(table, isTime ? undefined : start, isTime ? new Date(start as string) : undefined);
  } catch (error) {
    fail(
      error instanceof AppError
        ? `--since: ${error.message.replace('after must', 'a cursor must')}`
        : String(error),
    );
  }
  const config = configOrExit();
  const store = await openMigratedStore(config);
  const columns = exportColumns(table);
  const bar = options.progress === false ? null : new SingleBar({ format: `${table} [{bar}] {value} rows` });
  bar?.start(await countExportable(store.db, table, cursor, new Date()), 0);
  let written = 0;
  try {
    if (options.format === 'csv' && !existsSync(options.out))
      writeFileSync(options.out, stringify([columns as string[]]));
    for (;;) {
      const page = await exportPage(store.db, table, cursor, PAGE, new Date());
      if (page.rows.length > 0) {
        const text =
          options.format === 'csv'
            ? stringify(page.rows.map((row) => columns.map((c) => row[c] ?? '')))
            : `${page.rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
        appendFileSync(options.out, text);
        written += page.rows.length;
        cursor = page.cursor;
        // The cursor is saved after its rows: a crash between the two repeats a page, never skips one.
        writeFileSync(cursorFile, `${cursor}\n`);
        bar?.update(written);
      }
      if (!page.hasMore) break;
    }
  } finally {
    bar?.stop();
    await store.close();
  }
  console.log(
    `Exported ${written} ${table} rows to ${options.out}; next cursor ${cursor ?? '(none yet)'} in ${cursorFile}.`,
  );
}

function fail(message: string): never {
  console.error(`vouch: ${message}`);
  process.exit(2);
}
