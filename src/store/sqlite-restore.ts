import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { BackupError, checkCopy } from './sqlite-backup.ts';

/**
 * Takes the database for this process alone, or says who has it. In exclusive locking mode an
 * exclusive transaction needs every other connection (an idle `vouch serve` included) to be gone,
 * so a busy answer is an honest "in use", not a guess from the files beside it.
 */
function lockUnused(file: string): SQLite.Database {
  const db = new SQLite(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return db;
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new BackupError(`${file} is in use by another process (stop vouch serve and vouch worker first)`);
    }
    throw new BackupError(`${file} cannot be opened: ${(error as Error).message}`);
  }
}

export interface RestoreResult {
  /** Where the database that was replaced now is; null when there was none. */
  previous: string | null;
  migrations: number;
}

/**
 * Replaces the database with a checked backup while holding it exclusively. The replaced file,
 * its WAL first folded in, is kept as `.before-restore`.
 */
export function restoreSqlite(backup: string, target: string): RestoreResult {
  const migrations = checkCopy(backup);
  const previous = `${target}.before-restore`;
  if (existsSync(previous)) throw new BackupError(`${previous} already exists: move it away first`);
  const partial = `${target}.restoring`;
  copyFileSync(backup, partial);
  if (!existsSync(target)) {
    renameSync(partial, target);
    return { previous: null, migrations };
  }
  let lock: SQLite.Database;
  try {
    lock = lockUnused(target);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  try {
    // Fold the WAL into the file, so the kept file is complete on its own.
    lock.pragma('wal_checkpoint(TRUNCATE)');
    lock.pragma('journal_mode = DELETE');
    renameSync(target, previous);
    renameSync(partial, target);
  } finally {
    lock.close();
    rmSync(partial, { force: true });
  }
  for (const leftover of ['-wal', '-shm']) rmSync(`${target}${leftover}`, { force: true });
  return { previous, migrations };
}
