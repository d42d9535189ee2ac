import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { decodeEncryptionKey, newEncryptionKey, SealingError } from '../lib/sealing.ts';

/**
 * On SQLite without VOUCH_ENCRYPTION_KEYS, the keys that seal stored secrets live in a file
 * beside the database (`vouch.db.key`, readable by its owner only), one per line, newest first.
 * Backups of the database leave it out, so a copied database alone opens no secret.
 */
export const keyFileOf = (databaseFile: string) => `${databaseFile}.key`;

function readKeys(path: string): Buffer[] {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const keys = lines.map(decodeEncryptionKey);
  if (keys.length === 0 || keys.some((key) => key === null)) {
    throw new SealingError(`${path} must hold one or more keys (32 bytes in base64url), one per line`);
  }
  return keys as Buffer[];
}

const HEADER =
  '# Vouch: the keys that seal the secrets stored in the database beside this file, newest first.\n' +
  '# Keep a copy apart from the database backups: without it, their webhook secrets cannot be opened.\n';

function writeTemporary(path: string, keys: readonly string[]): string {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, `${HEADER}${keys.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
  return temporary;
}

/**
 * The file's keys, making the file with one new key when there is none. The file is written in
 * full under a temporary name and linked into place, which fails if another process got there
 * first: two processes starting on a new database agree on one key.
 */
export function loadOrCreateKeyFile(path: string): Buffer[] {
  try {
    return readKeys(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const temporary = writeTemporary(path, [newEncryptionKey()]);
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return readKeys(path);
}

/** Replaces the file's keys at once (written aside, then renamed over it). */
export function replaceKeyFile(path: string, keys: readonly string[]): void {
  renameSync(writeTemporary(path, keys), path);
}
