import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ipHasher } from './ip-hasher.ts';

const SECRET = 'test-secret-test-secret-test-secret-0123';

describe('ipHasher', () => {
  it('is a keyed hash of the address, the same whether cached or not', () => {
    const hash = ipHasher(SECRET, 2);
    const expected = createHmac('sha256', SECRET).update('203.0.113.7').digest('base64url').slice(0, 22);

    expect(hash('203.0.113.7')).toBe(expected);
    expect(hash('203.0.113.7')).toBe(expected);
    expect(expected).not.toContain('203');
  });

  it('keeps at most maxEntries addresses and still hashes evicted ones the same', () => {
    const hash = ipHasher(SECRET, 2);
    const first = hash('198.51.100.1');
    hash('198.51.100.2');
    hash('198.51.100.3');

    expect(hash('198.51.100.1')).toBe(first);
  });

  it('depends on the secret', () => {
    expect(ipHasher(SECRET)('198.51.100.1')).not.toBe(ipHasher(`${SECRET}x`)('198.51.100.1'));
  });
});
