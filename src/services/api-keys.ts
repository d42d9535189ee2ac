import { createHash, randomBytes } from 'node:crypto';
import { notFound } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import type { Executor } from '../store/executor.ts';
import {
  type ApiKeyRow,
  countApiKeys,
  findActiveKeyByHash,
  insertApiKey,
  listApiKeyRows,
  revokeApiKeyRow,
} from '../store/repositories/api-keys.ts';
import { insertSettingIfAbsent } from '../store/repositories/settings.ts';

export type { ApiKeyRow };

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomToken(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // Rejection sampling keeps every character equally likely.
  for (const byte of bytes) {
    if (byte < 248) out += BASE62[byte % 62];
    if (out.length === length) return out;
  }
  return out + randomToken(length - out.length);
}

/** Keys are stored as a SHA-256 hash; the plaintext exists only in the response that creates it. */
export function hashKey(plaintext: string): string {
  return createHash('sha256').update(plaintext).digest('hex');
}

export async function createApiKey(
  db: Executor,
  name: string,
  now: Date,
  plaintext = `sk_${randomToken(32)}`,
): Promise<{ key: ApiKeyRow; plaintext: string }> {
  const key: ApiKeyRow = {
    id: newId('key'),
    name,
    kind: 'secret',
    prefix: plaintext.slice(0, 7),
    hash: hashKey(plaintext),
    created_at: now.toISOString(),
    revoked_at: null,
  };
  await insertApiKey(db, key);
  return { key, plaintext };
}

export async function authenticate(db: Executor, plaintext: string): Promise<ApiKeyRow | undefined> {
  return findActiveKeyByHash(db, hashKey(plaintext));
}

export async function listApiKeys(db: Executor): Promise<ApiKeyRow[]> {
  return listApiKeyRows(db);
}

export async function revokeApiKey(db: Executor, id: string, now: Date): Promise<void> {
  if (!(await revokeApiKeyRow(db, id, now.toISOString()))) throw notFound('active API key', id);
}

/**
 * The first start of an empty database creates one secret key (or adopts the configured one),
 * so a new install can be used at once. Returns the plaintext only when it was generated here.
 */
export async function bootstrapApiKey(
  db: Executor,
  configured: string | undefined,
  now: Date,
): Promise<{ created: boolean; plaintext?: string }> {
  if ((await countApiKeys(db)) > 0) return { created: false };
  // Two processes starting on one empty database at once: only the one that claims this row
  // creates the key (on PostgreSQL the other's insert waits for the first commit, then skips).
  if (!(await insertSettingIfAbsent(db, 'bootstrap_key_created_at', now.toISOString())))
    return { created: false };
  const { plaintext } = await createApiKey(db, 'bootstrap', now, configured);
  return configured ? { created: true } : { created: true, plaintext };
}
