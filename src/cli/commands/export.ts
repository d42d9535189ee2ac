import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import { AppError } from '../../lib/errors.ts';
import {
  checkExportTable,
  countExportable,
  cursorFrom,
  type ExportTable,
  exportColumns,
  exportColumnTypes,
  exportPage,
  unsettledRows,
} from '../../services/exports/exports.ts';
import { configOrExit, openMigratedStore } from '../context.ts';
import {
  isPartial,
  nextPartName,
  PARTIAL_SUFFIX,
  parquetSchemaFor,
  type TypedColumns,
  toColumnData,
} from '../parquet-export.ts';

interface ExportOptions {
  since?: string;
  format: string;
  out: string;
  progress?: boolean;
}

const FORMATS = ['ndjson', 'csv', 'parquet'] as const;
type Format = (typeof FORMATS)[number];

const PAGE = 5000;
/** Rows per Parquet row group: large enough for good compression, small enough to hold in memory. */
const ROW_GROUP = 50_000;

/** Where a run's rows go, and where the cursor to resume from is kept. */
interface ExportTarget {
  cursorFile: string;
  /** Takes a page of rows; `cursor` is the id of its last row. */
  write(rows: Record<string, unknown>[], cursor: string): Promise<void>;
  /** Completes the run; returns where its rows are. */
  finish(cursor: string | null): Promise<string>;
}

/**
 * `vouch export <table> --out F`: writes the table's rows after a cursor, keeps the cursor, and
 * resumes there on the next run, so a nightly job loads a warehouse incrementally and an
 * interrupted one loses nothing. NDJSON and CSV append to F; Parquet adds a part file to the
 * directory F.
 */
export async function exportCommand(name: string, options: ExportOptions): Promise<void> {
  const format = formatOrExit(options.format);
  const table = tableOrExit(name);
  const target =
    format === 'parquet'
      ? parquetTarget(options.out, exportColumnTypes(table))
      : appendTarget(options.out, format, exportColumns(table));
  let cursor = startCursor(table, options.since ?? savedCursor(target.cursorFile));
  const config = configOrExit();
  const store = await openMigratedStore(config);
  const bar = options.progress === false ? null : new SingleBar({ format: `${table} [{bar}] {value} rows` });
  bar?.start(await countExportable(store.db, table, cursor, new Date()), 0);
  let written = 0;
  let location: string;
  let waiting: { count: number; readyBy: Date | null };
  try {
    for (;;) {
      const page = await exportPage(store.db, table, cursor, PAGE, new Date());
      if (page.cursor && page.rows.length > 0) {
        await target.write(page.rows, page.cursor);
        written += page.rows.length;
        cursor = page.cursor;
        bar?.update(written);
      }
      if (!page.hasMore) break;
    }
    location = await target.finish(cursor);
    waiting = await unsettledRows(store.db, table, cursor, new Date());
  } finally {
    bar?.stop();
    await store.close();
  }
  console.log(
    summary(table, written, location, existsSync(target.cursorFile) ? target.cursorFile : null, waiting),
  );
}

/**
 * What a run did, and why it exported nothing when it did: rows wait until they are a minute
 * old, so the first export after a burst of writes (`seed-demo`) finds none of them yet.
 */
function summary(
  table: string,
  written: number,
  location: string,
  cursorFile: string | null,
  waiting: { count: number; readyBy: Date | null },
): string {
  const lines = [
    written > 0
      ? `Exported ${written} ${table} rows to ${location}.`
      : `Exported 0 ${table} rows${waiting.count > 0 ? '.' : `: ${table} has no rows after the cursor.`}`,
  ];
  if (waiting.count > 0 && waiting.readyBy) {
    lines.push(
      `${waiting.count} newer ${table} rows are not exported yet: rows are exported once they are a minute old, ` +
        'so that a row committed late never lands behind the cursor. ' +
        `Run again after ${waiting.readyBy.toISOString()} to export them.`,
    );
  }
  lines.push(
    cursorFile
      ? `The next run resumes after the cursor saved in ${cursorFile}.`
      : 'No cursor was saved (nothing was exported): the next run starts where this one did.',
  );
  return lines.join('\n');
}

/** NDJSON or CSV appended to one file; the cursor is saved after every page, behind its rows. */
function appendTarget(file: string, format: 'ndjson' | 'csv', columns: readonly string[]): ExportTarget {
  if (format === 'csv' && !existsSync(file)) writeFileSync(file, stringify([columns as string[]]));
  const cursorFile = `${file}.cursor`;
  return {
    cursorFile,
    async write(rows, cursor) {
      const text =
        format === 'csv'
          ? stringify(rows.map((row) => columns.map((c) => row[c] ?? '')))
          : `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
      appendFileSync(file, text);
      // The cursor is saved after its rows: a crash between the two repeats a page, never skips one.
      saveAtomically(cursorFile, `${cursor}\n`);
    },
    async finish() {
      return file;
    },
  };
}

const CURSOR = '.cursor';
/** `<part> <cursor>`: the cursor a part ends at, written before the part is renamed complete. */
const PENDING_CURSOR = '.cursor.pending';

/**
 * Parquet cannot be appended to (its footer comes last), so each run writes one new part file in
 * the directory `dir`, which warehouses load as one dataset (`dir/*.parquet`). The part is
 * written as `.partial` and renamed once complete; only then does the cursor move.
 */
function parquetTarget(dir: string, columns: TypedColumns): ExportTarget {
  recoverDirectory(dir);
  const part = nextPartName(readdirSync(dir));
  const partial = join(dir, `${part}${PARTIAL_SUFFIX}`);
  let writer: ParquetWriter | null = null;
  let buffered: Record<string, unknown>[] = [];
  const writeRowGroup = async () => {
    if (!writer || buffered.length === 0) return;
    await writer.write({ columnData: toColumnData(columns, buffered), rowGroupSize: buffered.length });
    buffered = [];
  };
  return {
    cursorFile: join(dir, CURSOR),
    async write(rows) {
      // Opened with the first rows: a run with nothing new leaves no file.
      writer ??= new ParquetWriter({
        writer: fileWriter(partial),
        schema: parquetSchemaFor(columns),
        createdBy: 'vouch',
      });
      buffered.push(...rows);
      if (buffered.length >= ROW_GROUP) await writeRowGroup();
    },
    async finish(cursor) {
      if (!writer || !cursor) return dir;
      await writeRowGroup();
      await writer.finish();
      commitPart(dir, part, cursor);
      return join(dir, part);
    },
  };
}

/**
 * Makes `part` complete, then moves the cursor past its rows. A kill between the two steps is
 * finished by the next run from the pending cursor, so no row is exported into two parts.
 */
function commitPart(dir: string, part: string, cursor: string): void {
  saveAtomically(join(dir, PENDING_CURSOR), `${part} ${cursor}\n`);
  renameSync(join(dir, `${part}${PARTIAL_SUFFIX}`), join(dir, part));
  saveAtomically(join(dir, CURSOR), `${cursor}\n`);
  rmSync(join(dir, PENDING_CURSOR));
}

/** Creates the directory, or clears what a killed run left in it: its rows are exported again. */
function recoverDirectory(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) fail(`--out ${dir}: parquet writes to a directory`);
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    if (isPartial(name)) rmSync(join(dir, name));
  }
  const pending = join(dir, PENDING_CURSOR);
  if (!existsSync(pending)) return;
  const [part, cursor] = readFileSync(pending, 'utf8').trim().split(' ');
  // The part was renamed complete but the cursor not yet saved past it.
  if (part && cursor && existsSync(join(dir, part))) saveAtomically(join(dir, CURSOR), `${cursor}\n`);
  rmSync(pending);
}

/** Through a rename, so a kill mid-write leaves the old content, never a truncated one. */
function saveAtomically(file: string, text: string): void {
  writeFileSync(`${file}${PARTIAL_SUFFIX}`, text);
  renameSync(`${file}${PARTIAL_SUFFIX}`, file);
}

function savedCursor(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** `start` is a cursor (an id) or an RFC 3339 time. */
function startCursor(table: ExportTable, start: string | undefined): string | null {
  const isTime = start !== undefined && !Number.isNaN(Date.parse(start)) && !start.includes('_');
  try {
    return cursorFrom(table, isTime ? undefined : start, isTime ? new Date(start as string) : undefined);
  } catch (error) {
    fail(
      error instanceof AppError
        ? `--since: ${error.message.replace('after must', 'a cursor must')}`
        : String(error),
    );
  }
}

function formatOrExit(format: string): Format {
  if (!(FORMATS as readonly string[]).includes(format)) fail('--format must be ndjson, csv or parquet');
  return format as Format;
}

function tableOrExit(name: string): ExportTable {
  try {
    return checkExportTable(name);
  } catch (error) {
    fail(error instanceof AppError ? error.message : String(error));
  }
}

function fail(message: string): never {
  console.error(`vouch: ${message}`);
  process.exit(2);
}
