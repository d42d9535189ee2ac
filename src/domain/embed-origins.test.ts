import { describe, expect, it } from 'vitest';
import { checkEmbedOrigins, isEmbedOrigin } from './embed-origins.ts';

describe('embed origins', () => {
  it('keeps origins canonical: lowercase host, no default port, no repeats', () => {
    expect(
      checkEmbedOrigins([
        'https://Shop.Example.com',
        'https://shop.example.com:443',
        'http://127.0.0.1:8080',
      ]),
    ).toEqual({ ok: true, origins: ['https://shop.example.com', 'http://127.0.0.1:8080'] });
  });

  it.each([
    ['a path', 'https://shop.example.com/account', 'has_path'],
    ['a trailing slash', 'https://shop.example.com/', 'has_path'],
    ['a query', 'https://shop.example.com?x=1', 'has_path'],
    ['a wildcard', '*', 'not_an_origin'],
    ['credentials', 'https://user@shop.example.com', 'not_an_origin'],
    ['a bare host', 'shop.example.com', 'not_an_origin'],
    ['another scheme', 'ftp://shop.example.com', 'not_http'],
  ])('refuses %s, naming its index', (_case, value, reason) => {
    expect(checkEmbedOrigins(['https://ok.example', value])).toEqual({ ok: false, index: 1, reason });
  });

  it('matches a request origin canonically, and nothing else', () => {
    const allowed = ['https://shop.example.com'];
    expect(isEmbedOrigin(allowed, 'https://SHOP.example.com')).toBe(true);
    expect(isEmbedOrigin(allowed, 'https://shop.example.com.evil.test')).toBe(false);
    expect(isEmbedOrigin(allowed, 'http://shop.example.com')).toBe(false);
    expect(isEmbedOrigin(allowed, 'null')).toBe(false);
  });
});
