import { randomBytes } from 'node:crypto';
import type { Executor } from '../store/executor.ts';
import { putSettingIfAbsent } from '../store/repositories/settings.ts';

/**
 * The secret that signs cookies and salts IP hashes. Taken from configuration when given;
 * otherwise generated once and stored, so every process sharing the database agrees on it.
 */
export async function ensureInstanceSecret(db: Executor, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  return putSettingIfAbsent(db, 'instance_secret', randomBytes(32).toString('base64url'));
}
