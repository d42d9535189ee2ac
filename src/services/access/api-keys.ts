import { createHash, randomBytes } from 'node:crypto';
import { type KeyGrant, type KeyKind, keyGrant, type Scope } from '../../domain/api-key-scopes.ts';
import { notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Executor, InTransaction } from '../../store/executor.ts';
import {
  type ApiKeyRow,
  countApiKeys,
  findActiveKeyByHash,
  insertApiKey,
  listApiKeyRows,
  revokeApiKeyRow,
} from '../../store/repositories/api-keys.ts';
import { insertSettingIfAbsent } from '../../store/repositories/settings.ts';

/** A key as the app uses it: its row, with its scopes read. */
export type ApiKey = Omit<ApiKeyRow, 'scopes'> & KeyGrant;

export interface NewKeyOptions {
  /** Scope names as given (`read`, `events:write`); none makes a secret key admin. */
  scopes?: readonly string[];
  /** A `pk_` key, safe in browser code; it holds no scope. */
  publishable?: boolean;
  /** Adopt this secret instead of generating one (VOUCH_BOOTSTRAP_KEY). */
  plaintext?: string;
}

const TOKEN_PREFIX: Record<KeyKind, string> = { secret: 'sk_', publishable: 'pk_' };

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

function fromRow(row: ApiKeyRow): ApiKey {
  return { ...row, scopes: JSON.parse(row.scopes) as Scope[] };
}

/** Refuses (invalid_value, param `scope`) an unknown scope, or any scope on a publishable key. */
export async function createApiKey(
  db: InTransaction,
  name: string,
  now: Date,
  options: NewKeyOptions = {},
): Promise<{ key: ApiKey; plaintext: string }> {
  const grant = keyGrant(options.publishable ? 'publishable' : 'secret', options.scopes ?? []);
  const plaintext = options.plaintext ?? `${TOKEN_PREFIX[grant.kind]}${randomToken(32)}`;
  const row: ApiKeyRow = {
    id: newId('key'),
    name,
    kind: grant.kind,
    scopes: JSON.stringify(grant.scopes),
    prefix: plaintext.slice(0, 7),
    hash: hashKey(plaintext),
    created_at: now.toISOString(),
    revoked_at: null,
  };
  await insertApiKey(db, row);
  return { key: fromRow(row), plaintext };
}

export async function authenticate(db: Executor, plaintext: string): Promise<ApiKey | undefined> {
  const row = await findActiveKeyByHash(db, hashKey(plaintext));
  return row && fromRow(row);
}

export async function listApiKeys(db: Executor): Promise<ApiKey[]> {
  return (await listApiKeyRows(db)).map(fromRow);
}

export async function revokeApiKey(db: InTransaction, id: string, now: Date): Promise<void> {
  if (!(await revokeApiKeyRow(db, id, now.toISOString()))) throw notFound('active API key', id);
}

/**
 * The first start of an empty database creates one admin secret key (or adopts the configured one),
 * so a new install can be used at once. Returns the plaintext only when it was generated here.
 */
export async function bootstrapApiKey(
  db: InTransaction,
  configured: string | undefined,
  now: Date,
): Promise<{ created: boolean; plaintext?: string }> {
  if ((await countApiKeys(db)) > 0) return { created: false };
  // Two processes starting on one empty database at once: only the one that claims this row
  // creates the key (on PostgreSQL the other's insert waits for the first commit, then skips).
  if (!(await insertSettingIfAbsent(db, 'bootstrap_key_created_at', now.toISOString())))
    return { created: false };
  const { plaintext } = await createApiKey(db, 'bootstrap', now, { plaintext: configured });
  return configured ? { created: true } : { created: true, plaintext };
}
