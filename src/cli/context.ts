import { type Config, ConfigError, loadConfig } from '../lib/config.ts';
import { SealingError } from '../lib/sealing.ts';
import { openStore, type Store } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { resealStoredSecrets } from '../worker/stored-secrets.ts';

/** Reads the configuration or stops the process with one line naming the bad variable. */
export function configOrExit(): Config {
  try {
    // The one place that reads the environment.
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`vouch: invalid configuration: ${error.message}`);
      process.exit(78);
    }
    throw error;
  }
}

/** A stored secret no configured key opens, or a key file that holds no key: one line, exit 78. */
function exitOnSealingError(error: unknown): void {
  if (!(error instanceof SealingError)) return;
  console.error(`vouch: stored secrets: ${error.message} (see "Secrets at rest" in the README)`);
  process.exit(78);
}

/**
 * Opens the configured database, brings its schema up to date and its stored secrets under the
 * newest key.
 */
export async function openMigratedStore(config: Config): Promise<Store> {
  const store = await openStore(config.databaseUrl, { encryptionKeys: config.encryptionKeys }).catch(
    (error: unknown) => {
      exitOnSealingError(error);
      throw error;
    },
  );
  try {
    await migrateToLatest(store.db);
    await resealStoredSecrets(store);
  } catch (error) {
    await store.close();
    exitOnSealingError(error);
    throw error;
  }
  return store;
}

/** Where the data lives, for log lines; never prints a password. */
export function describeDatabase(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
