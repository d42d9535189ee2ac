import { randomBytes } from 'node:crypto';
import type { Keyring } from '../../lib/sealing.ts';
import type { StoredSecrets, WebhookEndpointRow } from '../../store/repositories/webhook-endpoints.ts';

// An endpoint's secrets are stored sealed and bound to the endpoint: the current and the previous
// one share the context, so a rotation moves the sealed value across without opening it.
const contextOf = (endpointId: string) => `webhook_endpoint:${endpointId}`;

/** A new Standard Webhooks secret (`whsec_` and 24 random bytes in base64), and its sealed form. */
export function newEndpointSecret(keyring: Keyring, endpointId: string): { plain: string; sealed: string } {
  const plain = `whsec_${randomBytes(24).toString('base64')}`;
  return { plain, sealed: sealEndpointSecret(keyring, endpointId, plain) };
}

export function openEndpointSecret(keyring: Keyring, endpointId: string, stored: string): string {
  return keyring.open(stored, contextOf(endpointId));
}

export function sealEndpointSecret(keyring: Keyring, endpointId: string, plain: string): string {
  return keyring.seal(plain, contextOf(endpointId));
}

/** The secrets that sign an attempt now: the current one, and the previous one while it overlaps. */
export function signingSecrets(keyring: Keyring, endpoint: WebhookEndpointRow, now: Date): string[] {
  const { id, secret, previous_secret: previous, previous_secret_expires_at: until } = endpoint;
  const stored = previous && until && until > now.toISOString() ? [secret, previous] : [secret];
  return stored.map((value) => openEndpointSecret(keyring, id, value));
}

/** An endpoint's secrets sealed under the key that seals now; null when they are already. */
export function resealedSecrets(
  keyring: Keyring,
  row: StoredSecrets,
): Pick<StoredSecrets, 'secret' | 'previous_secret'> | null {
  const { id, secret, previous_secret: previous } = row;
  if (keyring.isCurrent(secret) && (previous === null || keyring.isCurrent(previous))) return null;
  const again = (stored: string) => sealEndpointSecret(keyring, id, openEndpointSecret(keyring, id, stored));
  return { secret: again(secret), previous_secret: previous === null ? null : again(previous) };
}
