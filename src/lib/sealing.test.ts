import { describe, expect, it } from 'vitest';
import {
  createKeyring,
  decodeEncryptionKey,
  keylessKeyring,
  newEncryptionKey,
  SealingError,
} from './sealing.ts';

const key = () => decodeEncryptionKey(newEncryptionKey()) as Buffer;

describe('sealing', () => {
  it('opens what it sealed, in its context, and never shows the plaintext', () => {
    const keyring = createKeyring([key()]);
    const sealed = keyring.seal('whsec_abc', 'webhook_endpoint:whk_1');
    expect(sealed).toMatch(new RegExp(`^v1\\.${keyring.primaryId}\\.[\\w-]{16}\\.[\\w-]+$`));
    expect(sealed).not.toContain('whsec_abc');
    expect(keyring.open(sealed, 'webhook_endpoint:whk_1')).toBe('whsec_abc');
  });

  it('seals the same value differently each time (a fresh nonce)', () => {
    const keyring = createKeyring([key()]);
    expect(keyring.seal('same', 'c')).not.toBe(keyring.seal('same', 'c'));
  });

  it('does not open a sealed value moved to another context', () => {
    const keyring = createKeyring([key()]);
    const sealed = keyring.seal('whsec_abc', 'webhook_endpoint:whk_1');
    expect(() => keyring.open(sealed, 'webhook_endpoint:whk_2')).toThrow(/altered or moved/);
  });

  it('does not open an altered value', () => {
    const keyring = createKeyring([key()]);
    const sealed = keyring.seal('whsec_abc', 'c');
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    const altered = `${sealed.slice(0, -2)}${last}${sealed.at(-1)}`;
    expect(() => keyring.open(altered, 'c')).toThrow(SealingError);
    expect(() => keyring.open('v1.x.y', 'c')).toThrow(SealingError);
  });

  it('seals with the first key and opens with any, so keys can be rotated', () => {
    const [older, newer] = [key(), key()];
    const before = createKeyring([older]);
    const sealedBefore = before.seal('secret', 'c');
    const after = createKeyring([newer, older]);
    expect(after.open(sealedBefore, 'c')).toBe('secret');
    expect(after.isCurrent(sealedBefore)).toBe(false);
    const resealed = after.seal(after.open(sealedBefore, 'c'), 'c');
    expect(after.isCurrent(resealed)).toBe(true);
    expect(createKeyring([newer]).open(resealed, 'c')).toBe('secret');
    expect(() => before.open(resealed, 'c')).toThrow(
      new RegExp(`sealed under key ${after.primaryId}, which the configured keys do not include`),
    );
  });

  it('returns a value stored before sealing existed as it is, and counts it as not current', () => {
    const keyring = createKeyring([key()]);
    expect(keyring.open('whsec_plain', 'c')).toBe('whsec_plain');
    expect(keyring.isCurrent('whsec_plain')).toBe(false);
  });

  it('reads keys of 32 bytes in base64url only', () => {
    expect(decodeEncryptionKey(newEncryptionKey())?.length).toBe(32);
    expect(decodeEncryptionKey('A'.repeat(42))).toBeNull();
    expect(decodeEncryptionKey(`${'A'.repeat(42)}=`)).toBeNull();
    expect(() => createKeyring([])).toThrow(SealingError);
  });

  it('without keys, refuses to seal or open', () => {
    expect(() => keylessKeyring().seal('x', 'c')).toThrow(/no encryption keys/);
    expect(() => keylessKeyring().open('v1.a.b.c', 'c')).toThrow(/no encryption keys/);
  });
});
