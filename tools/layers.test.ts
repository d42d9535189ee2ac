import { describe, expect, it } from 'vitest';
import { imports, violations } from './layers.ts';

describe('the layers of src/', () => {
  it('has no import that runs up the layers, and no domain file that reaches for I/O or the clock', () => {
    expect(violations()).toEqual([]);
  });

  it('reads the import lines it checks (the check is not vacuous)', () => {
    const all = imports();
    expect(all.length).toBeGreaterThan(500);
    expect(all).toContainEqual({
      from: 'src/domain/identity.ts',
      specifier: 'node:net',
      names: ['isIP'],
    });
  });
});
