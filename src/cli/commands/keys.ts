import { AppError } from '../../lib/errors.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../services/api-keys.ts';
import type { Store } from '../../store/database.ts';
import { configOrExit, openMigratedStore } from '../context.ts';

async function withStore<T>(run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openMigratedStore(configOrExit());
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

export async function createKey(options: { name: string }): Promise<void> {
  const { key, plaintext } = await withStore((store) =>
    store.transaction((trx) => createApiKey(trx, options.name, new Date())),
  );
  console.log(`Created ${key.id} (${key.name}). Secret key, shown only now:\n\n  ${plaintext}\n`);
}

export async function listKeys(): Promise<void> {
  const keys = await withStore((store) => listApiKeys(store.db));
  if (keys.length === 0) {
    console.log('No API keys.');
    return;
  }
  for (const key of keys) {
    const state = key.revoked_at ? `revoked ${key.revoked_at}` : 'active';
    console.log(`${key.id}  ${key.prefix}…  ${key.name}  created ${key.created_at}  ${state}`);
  }
}

export async function revokeKey(id: string): Promise<void> {
  try {
    await withStore((store) => store.transaction((trx) => revokeApiKey(trx, id, new Date())));
  } catch (error) {
    if (error instanceof AppError) {
      console.error(`vouch: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  console.log(`Revoked ${id}.`);
}
