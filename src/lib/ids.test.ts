import { describe, expect, it } from 'vitest';
import { newId } from './ids.ts';

describe('ids', () => {
  it('have a type prefix and 26 Crockford base32 characters', () => {
    expect(newId('prg')).toMatch(/^prg_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('sort in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newId('evt', 1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sort by time across milliseconds', () => {
    const earlier = newId('evt', 1_700_000_000_000);
    const later = newId('evt', 1_800_000_000_000);
    expect(earlier < later).toBe(true);
  });
});
