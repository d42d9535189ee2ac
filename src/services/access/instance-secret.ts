import { randomBytes } from 'node:crypto';
import type { Keyring } from '../../lib/sealing.ts';
import type { InTransaction } from '../../store/executor.ts';
import { getSetting, putSettingIfAbsent, replaceSetting } from '../../store/repositories/settings.ts';

export const INSTANCE_SECRET = 'instance_secret';
export const INSTANCE_SECRET_CONTEXT = `settings:${INSTANCE_SECRET}`;

/**
 * The secret that signs cookies and keys the email and IP hashes. Taken from configuration when
 * given; otherwise generated once and stored sealed, so every process sharing the database agrees
 * on it and the database alone does not reveal it.
 */
export async function ensureInstanceSecret(
  db: InTransaction,
  keyring: Keyring,
  configured: string | undefined,
): Promise<string> {
  if (configured) return configured;
  const generated = keyring.seal(randomBytes(32).toString('base64url'), INSTANCE_SECRET_CONTEXT);
  return keyring.open(await putSettingIfAbsent(db, INSTANCE_SECRET, generated), INSTANCE_SECRET_CONTEXT);
}

/** Seals a generated instance secret stored in the clear or under an older key; whether it did. */
export async function resealInstanceSecret(db: InTransaction, keyring: Keyring): Promise<boolean> {
  const stored = await getSetting(db, INSTANCE_SECRET);
  if (stored === undefined || keyring.isCurrent(stored)) return false;
  const sealed = keyring.seal(keyring.open(stored, INSTANCE_SECRET_CONTEXT), INSTANCE_SECRET_CONTEXT);
  return replaceSetting(db, INSTANCE_SECRET, stored, sealed);
}
