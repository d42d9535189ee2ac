import { resolve } from 'node:path';
import type { Config } from '../../lib/config.ts';
import { keyFileOf } from '../../store/key-file.ts';
import { BackupError, backupSqlite, sqliteFileOf } from '../../store/sqlite-backup.ts';
import { restoreSqlite } from '../../store/sqlite-restore.ts';
import { configOrExit } from '../context.ts';

/** What PostgreSQL users run instead: its own tools, pointed at the same server (no password shown). */
function postgresAdvice(url: string, verb: 'backup' | 'restore'): string {
  const parsed = new URL(url);
  const host = parsed.hostname || 'localhost';
  const port = parsed.port || '5432';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres';
  const user = parsed.username ? ` -U ${decodeURIComponent(parsed.username)}` : '';
  const target = `-h ${host} -p ${port}${user} -d ${database}`;
  const command =
    verb === 'backup' ? `pg_dump -Fc ${target} -f FILE` : `pg_restore --clean --if-exists ${target} FILE`;
  return `vouch: ${verb} works on SQLite only; this database is PostgreSQL. Use instead:\n  ${command}`;
}

/** The keys that open the copy's sealed secrets are not in it, on purpose: where they are. */
function keysNote(config: Config): string {
  const where = config.encryptionKeys
    ? 'VOUCH_ENCRYPTION_KEYS'
    : `the key file ${keyFileOf(sqliteFileOf(config.databaseUrl))}`;
  return `Its secrets are sealed under ${where}, which the backup leaves out: keep a copy of the keys apart from the backups, since without them a restored copy's webhook secrets and instance secret cannot be opened.`;
}

function fail(error: unknown): void {
  if (!(error instanceof BackupError)) throw error;
  console.error(`vouch: ${error.message}`);
  process.exitCode = 1;
}

/** `vouch backup FILE`: a checked, consistent copy of the SQLite database, safe while serve writes. */
export async function backupCommand(file: string, options: { force?: boolean }): Promise<void> {
  const config = configOrExit();
  if (!config.databaseUrl.startsWith('sqlite:')) {
    console.error(postgresAdvice(config.databaseUrl, 'backup'));
    process.exitCode = 2;
    return;
  }
  try {
    const result = await backupSqlite(
      sqliteFileOf(config.databaseUrl),
      resolve(file),
      options.force === true,
    );
    console.log(
      `Backed up to ${file}: ${result.pages} pages, ${result.migrations} migrations; integrity ok.`,
    );
    console.log(keysNote(config));
  } catch (error) {
    fail(error);
  }
}

/** `vouch restore FILE`: replaces the SQLite database with a checked backup when nothing uses it. */
export async function restoreCommand(file: string): Promise<void> {
  const config = configOrExit();
  if (!config.databaseUrl.startsWith('sqlite:')) {
    console.error(postgresAdvice(config.databaseUrl, 'restore'));
    process.exitCode = 2;
    return;
  }
  try {
    const result = restoreSqlite(resolve(file), sqliteFileOf(config.databaseUrl));
    const kept = result.previous ? `; the previous database is kept as ${result.previous}` : '';
    console.log(`Restored ${file} (${result.migrations} migrations)${kept}.`);
  } catch (error) {
    fail(error);
  }
}
