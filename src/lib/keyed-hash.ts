import { createHmac } from 'node:crypto';

/**
 * A keyed hash (HMAC-SHA-256, 128 bits, base64url) of a value: stable for one instance secret,
 * so equal values match, and useless to anyone without the secret who tries to reverse it.
 */
export function keyedHash(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('base64url').slice(0, 22);
}
