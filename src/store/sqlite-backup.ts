import { existsSync, linkSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { KNOWN_MIGRATIONS } from './migrate.ts';

/** Why a file cannot be used as a Vouch backup; thrown with a message meant for the operator. */
export class BackupError extends Error {
  override name = 'BackupError';
}

/** The file of a `sqlite:` URL. */
export function sqliteFileOf(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/, '');
}

/**
 * A copy is usable when SQLite finds it whole and every migration it records is one this version
 * knows (a file from a newer Vouch would be half understood). Returns how many migrations it has.
 */
export function checkCopy(file: string): number {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist`);
  if (!statSync(file).isFile()) throw new BackupError(`${file} is not a file`);
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`${file} cannot be opened: ${(error as Error).message}`);
  }
  try {
    const integrity = db.pragma('integrity_check') as { integrity_check: string }[];
    const problems = integrity.map((row) => row.integrity_check).filter((line) => line !== 'ok');
    if (problems.length > 0) throw new BackupError(`${file} is damaged: ${problems.slice(0, 3).join('; ')}`);
    const table = db.prepare(
      "select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'",
    );
    if (!table.get()) throw new BackupError(`${file} is not a Vouch database (it has no migrations table)`);
    const names = (db.prepare('select name from kysely_migration').all() as { name: string }[]).map(
      (r) => r.name,
    );
    const unknown = names.filter((name) => !KNOWN_MIGRATIONS.has(name));
    if (unknown.length > 0) {
      throw new BackupError(`${file} was made by a newer Vouch (unknown migrations: ${unknown.join(', ')})`);
    }
    return names.length;
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} is not a readable SQLite database: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}

export interface BackupResult {
  pages: number;
  migrations: number;
}

/**
 * Copies a live database with SQLite's online backup: it reads through SQLite, WAL included, so
 * every commit made before it starts is in the copy. The copy is written beside the target as
 * `.partial`, checked, and only then moved into place, so `target` is never a half-written file.
 */
export async function backupSqlite(source: string, target: string, force: boolean): Promise<BackupResult> {
  if (!existsSync(source)) throw new BackupError(`the database ${source} does not exist`);
  if (!existsSync(dirname(target)) || !statSync(dirname(target)).isDirectory()) {
    throw new BackupError(`the directory of ${target} does not exist`);
  }
  if (existsSync(target) && !force)
    throw new BackupError(`${target} already exists (use --force to replace it)`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new SQLite(source, { fileMustExist: true });
  let pages = 0;
  try {
    db.pragma('busy_timeout = 5000');
    // After the first step, copy everything in one: a step holds a read snapshot, while another
    // process's commit between small steps would make SQLite start the copy over.
    const result = await db.backup(partial, { progress: () => 0x7fffffff });
    pages = result.totalPages;
  } catch (error) {
    rmSync(partial, { force: true });
    throw new BackupError(`backup of ${source} failed: ${(error as Error).message}`);
  } finally {
    db.close();
  }
  try {
    // One self-contained file: no -wal beside it to forget when it is copied elsewhere.
    const copy = new SQLite(partial, { fileMustExist: true });
    copy.pragma('journal_mode = DELETE');
    copy.close();
    const migrations = checkCopy(partial);
    if (force) renameSync(partial, target);
    else {
      // link fails if target appeared meanwhile: an existing file is never replaced without --force.
      linkSync(partial, target);
      rmSync(partial);
    }
    return { pages, migrations };
  } catch (error) {
    rmSync(partial, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new BackupError(`${target} already exists (use --force to replace it)`);
    }
    throw error;
  }
}
