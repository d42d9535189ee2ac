import { type KeyGrant, keyGrant } from '../../domain/api-key-scopes.ts';
import { AppError } from '../../lib/errors.ts';
import { type ApiKey, createApiKey, listApiKeys, revokeApiKey } from '../../services/access/api-keys.ts';
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

/** Commander's collector for an option given more than once (`--scope read --scope events:write`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The grant asked for, checked before the database is opened; a bad scope is a usage error (exit 2). */
function grantOrExit(options: { scope: string[]; publishable?: boolean }): KeyGrant {
  try {
    return keyGrant(options.publishable ? 'publishable' : 'secret', options.scope);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    console.error(`vouch: ${error.message}`);
    process.exit(2);
  }
}

function describeGrant(key: KeyGrant): string {
  return key.kind === 'publishable'
    ? 'publishable (publishable routes only)'
    : `secret, scopes ${key.scopes.join(' ')}`;
}

export async function createKey(
  name: string | undefined,
  options: { name: string; scope: string[]; publishable?: boolean },
): Promise<void> {
  const grant = grantOrExit(options);
  const { key, plaintext } = await withStore((store) =>
    store.transaction((trx) =>
      createApiKey(trx, name ?? options.name, new Date(), {
        scopes: grant.scopes,
        publishable: grant.kind === 'publishable',
      }),
    ),
  );
  const what =
    key.kind === 'publishable'
      ? 'Publishable key (safe in browser code; it calls only publishable routes)'
      : `Secret key with scopes ${key.scopes.join(' ')}`;
  console.log(`Created ${key.id} (${key.name}). ${what}, shown only now:\n\n  ${plaintext}\n`);
}

function listLine(key: ApiKey): string {
  const state = key.revoked_at ? `revoked ${key.revoked_at}` : 'active';
  return `${key.id}  ${key.prefix}…  ${key.name}  ${describeGrant(key)}  created ${key.created_at}  ${state}`;
}

export async function listKeys(): Promise<void> {
  const keys = await withStore((store) => listApiKeys(store.db));
  if (keys.length === 0) {
    console.log('No API keys.');
    return;
  }
  for (const key of keys) console.log(listLine(key));
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
