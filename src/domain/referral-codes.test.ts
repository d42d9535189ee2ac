import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CODE_ALPHABET,
  checkVanityCode,
  codeFromBytes,
  codeKey,
  GENERATED_CODE_LENGTH,
} from './referral-codes.ts';

describe('referral codes', () => {
  it('generates codes without characters people confuse', () => {
    for (let i = 0; i < 2000; i++) {
      const code = codeFromBytes(randomBytes(GENERATED_CODE_LENGTH));
      expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    }
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
  });

  it('uses every character of the alphabet', () => {
    const bytes = Uint8Array.from({ length: GENERATED_CODE_LENGTH }, (_, i) => i);
    expect(codeFromBytes(bytes)).toBe(CODE_ALPHABET.slice(0, GENERATED_CODE_LENGTH));
  });

  it('treats codes that differ only in letter case as the same code', () => {
    expect(codeKey('Jane-2026')).toBe(codeKey('JANE-2026'));
  });

  it.each(['jane', 'JANE_DOE', 'summer-2026', 'a1b', 'x'.repeat(32)])(
    'accepts the vanity code %s',
    (code) => {
      expect(checkVanityCode(code)).toEqual({ ok: true, code });
    },
  );

  it('trims surrounding spaces from a vanity code', () => {
    expect(checkVanityCode('  jane  ')).toEqual({ ok: true, code: 'jane' });
  });

  it.each(['ab', 'x'.repeat(33), 'has space', '-leading', 'emoji😀', 'a/b', 'semi;colon', ''])(
    'refuses the vanity code %j',
    (code) => {
      expect(checkVanityCode(code).ok).toBe(false);
    },
  );
});
