import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets Vouch must keep readable (webhook signing secrets, the generated instance secret) are
 * stored sealed: AES-256-GCM under a key the database does not hold, so a stolen database file
 * alone signs no webhook and recomputes no hash. A sealed value reads
 * `v1.<key id>.<nonce>.<ciphertext and tag>` (base64url), and is bound to its context (the row it
 * belongs to), so a sealed value copied into another row does not open there.
 */
export interface Keyring {
  /** The id of the key that seals: the first one configured. */
  readonly primaryId: string;
  seal(plaintext: string, context: string): string;
  /** Opens a sealed value; a value stored before sealing existed is returned as it is. */
  open(stored: string, context: string): string;
  /** Whether the value is sealed under the key that seals now (else it is resealed at start). */
  isCurrent(stored: string): boolean;
}

export class SealingError extends Error {
  override name = 'SealingError';
}

const VERSION = 'v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A new key, as VOUCH_ENCRYPTION_KEYS and the key file hold it: 32 random bytes in base64url. */
export function newEncryptionKey(): string {
  return randomBytes(KEY_BYTES).toString('base64url');
}

/** The 32 bytes of a key, or null when the text is not one (never echoed: it is a secret). */
export function decodeEncryptionKey(text: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const key = Buffer.from(text, 'base64url');
  return key.length === KEY_BYTES ? key : null;
}

/** A short public name for a key, so a sealed value says which key opens it without revealing it. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('vouch key id\0').update(key).digest('base64url').slice(0, 8);
}

const isSealed = (stored: string) => stored.startsWith(`${VERSION}.`);

/** The id of the key a stored value is sealed under; null for a value stored in the clear. */
export const sealedBy = (stored: string): string | null =>
  isSealed(stored) ? (stored.split('.')[1] ?? '') : null;

/** Keys newest first: the first seals, every one opens. */
export function createKeyring(keys: readonly Buffer[]): Keyring {
  const first = keys[0];
  if (!first) throw new SealingError('a keyring needs at least one key');
  const byId = new Map(keys.map((key) => [keyIdOf(key), key]));
  const primaryId = keyIdOf(first);
  const additional = (id: string, context: string) => Buffer.from(`${VERSION}.${id}.${context}`);

  return {
    primaryId,
    seal(plaintext, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', first, nonce).setAAD(additional(primaryId, context));
      const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return [VERSION, primaryId, nonce.toString('base64url'), sealed.toString('base64url')].join('.');
    },
    open(stored, context) {
      if (!isSealed(stored)) return stored;
      const [, id = '', nonceText = '', sealedText = ''] = stored.split('.');
      const key = byId.get(id);
      if (!key) {
        throw new SealingError(
          `a secret is sealed under key ${id}, which the configured keys do not include`,
        );
      }
      const nonce = Buffer.from(nonceText, 'base64url');
      const sealed = Buffer.from(sealedText, 'base64url');
      if (nonce.length !== NONCE_BYTES || sealed.length < TAG_BYTES) {
        throw new SealingError('a sealed secret is malformed');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce)
          .setAAD(additional(id, context))
          .setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        const body = sealed.subarray(0, sealed.length - TAG_BYTES);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        throw new SealingError(`a secret sealed under key ${id} does not open: it was altered or moved`);
      }
    },
    isCurrent: (stored) => sealedBy(stored) === primaryId,
  };
}

/** A keyring with no key: everything but reading rows fails, saying what is missing. */
export function keylessKeyring(): Keyring {
  const refuse = (): never => {
    throw new SealingError('no encryption keys were given (VOUCH_ENCRYPTION_KEYS)');
  };
  return { primaryId: '', seal: refuse, open: refuse, isCurrent: refuse };
}
