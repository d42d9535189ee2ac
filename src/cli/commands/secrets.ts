import type { Config } from '../../lib/config.ts';
import { keyIdOf, newEncryptionKey } from '../../lib/sealing.ts';
import { keyFileOf, loadOrCreateKeyFile, replaceKeyFile } from '../../store/key-file.ts';
import { sqliteFileOf } from '../../store/sqlite-backup.ts';
import { countSecretsByKey } from '../../worker/stored-secrets.ts';
import { configOrExit, openMigratedStore } from '../context.ts';

/** `vouch secrets new-key`: a key for VOUCH_ENCRYPTION_KEYS, printed and nowhere kept. */
export function newKeyCommand(): void {
  console.log(newEncryptionKey());
}

/** The key file this configuration uses, or null when the keys come from the environment. */
function keyFileOrNull(config: Config): string | null {
  if (config.encryptionKeys) return null;
  return keyFileOf(sqliteFileOf(config.databaseUrl));
}

const base64url = (key: Buffer) => key.toString('base64url');

/** Opens the store (which reseals every secret under the newest key) and says what seals what. */
async function resealAndCount(config: Config): Promise<Map<string | null, number>> {
  const store = await openMigratedStore(config);
  try {
    return await countSecretsByKey(store);
  } finally {
    await store.close();
  }
}

function describeCounts(counts: Map<string | null, number>): string {
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  const byKey = [...counts].map(([id, n]) => `${n} under key ${id ?? '(none: in the clear)'}`);
  return `${total} stored secret${total === 1 ? '' : 's'}${total ? `: ${byKey.join(', ')}` : ''}`;
}

/**
 * `vouch secrets rotate` (SQLite's key file): puts a new key first in the file and reseals every
 * stored secret under it. The older keys stay, because processes already running still seal with
 * the key they started with; `prune` removes them once those have restarted.
 */
export async function rotateCommand(): Promise<void> {
  const config = configOrExit();
  const file = keyFileOrNull(config);
  if (!file) {
    console.error(
      'vouch: the keys come from VOUCH_ENCRYPTION_KEYS, which vouch cannot change. Put a new key ' +
        '(vouch secrets new-key) first in it and restart every Vouch process: each start reseals ' +
        'what older keys sealed. Then `vouch secrets prune` says when the older keys can go.',
    );
    process.exitCode = 2;
    return;
  }
  const older = loadOrCreateKeyFile(file).map(base64url);
  const newer = newEncryptionKey();
  replaceKeyFile(file, [newer, ...older]);
  const counts = await resealAndCount(config);
  console.log(`New key ${keyIdOf(Buffer.from(newer, 'base64url'))} added first to ${file}.`);
  console.log(`Resealed: ${describeCounts(counts)}.`);
  console.log(
    'Restart every running Vouch process (each seals with the key it started with), then run `vouch secrets prune` to remove the older keys.',
  );
}

/**
 * `vouch secrets prune`: reseals every stored secret under the newest key, then removes from the
 * key file the keys that seal nothing (with VOUCH_ENCRYPTION_KEYS, names the ones to remove).
 */
export async function pruneCommand(): Promise<void> {
  const config = configOrExit();
  const file = keyFileOrNull(config);
  const keys = config.encryptionKeys ?? (file ? loadOrCreateKeyFile(file) : []);
  const counts = await resealAndCount(config);
  const [newest, ...older] = keys;
  const unused = older.filter((key) => !counts.has(keyIdOf(key)));
  console.log(`${describeCounts(counts)}.`);
  if (unused.length === 0) {
    console.log('No older key to remove.');
  } else if (file && newest) {
    replaceKeyFile(file, [newest, ...older.filter((key) => !unused.includes(key))].map(base64url));
    console.log(`Removed ${unused.length} older key${unused.length === 1 ? '' : 's'} from ${file}.`);
  } else {
    const positions = unused.map((key) => keys.indexOf(key) + 1).join(', ');
    const [noun, verb, them] = unused.length === 1 ? ['Key', 'seals', 'it'] : ['Keys', 'seal', 'them'];
    console.log(`${noun} ${positions} of VOUCH_ENCRYPTION_KEYS ${verb} nothing now: remove ${them}.`);
  }
}
