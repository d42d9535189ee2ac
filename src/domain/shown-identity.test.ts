import { describe, expect, it } from 'vitest';
import { firstNameOf, maskEmail } from './shown-identity.ts';

describe('maskEmail', () => {
  it.each([
    ['sam@example.net', 's***@example.net'],
    ['s@example.net', 's***@example.net'],
    ['élodie.martin+ref@mail.fr', 'é***@mail.fr'],
    ['😀x@example.org', '😀***@example.org'],
    ['no-at-sign', '***'],
    ['@example.net', '***'],
  ])('%s → %s', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });
});

describe('firstNameOf', () => {
  it.each([
    ['Ada Lovelace', 'Ada'],
    ['  Grace   Hopper ', 'Grace'],
    ['Zoë', 'Zoë'],
    ['', null],
    ['   ', null],
    [null, null],
  ])('%j → %j', (name, first) => {
    expect(firstNameOf(name)).toBe(first);
  });
});
