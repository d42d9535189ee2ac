import { describe, expect, it } from 'vitest';
import { idFloor, idTime, newId } from './ids.ts';

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

  it('tell the time they were made at, the time their floor sorts by', () => {
    const at = 1_900_000_000_123; // later than every id made above: ids never go back in time
    expect(idTime(newId('clk', at + 86_400_000))).toBe(at + 86_400_000);
    expect(idTime(idFloor('evt', at))).toBe(at);
  });
});
