import { describe, expect, it } from 'vitest';
import { cookieAttributes, locationParts } from './redirect-target.ts';

const CLICK = 'clk_01JXYZABCDEFGHJKMNPQRSTVWX';

/** What the redirect sent before the prefix was precomputed: the URL API, per click. */
function withSearchParams(landingUrl: string, code: string): string {
  const url = new URL(landingUrl);
  url.searchParams.set('vouch_ref', code);
  url.searchParams.set('vouch_click', CLICK);
  return url.toString();
}

describe('locationParts', () => {
  it.each([
    ['a landing URL without a query', 'https://shop.example.com/welcome'],
    ['a landing URL with a query', 'https://shop.example.com/welcome?lang=en&x=a%20b'],
    ['a bare origin', 'https://shop.example.com'],
    ['a landing URL with a #fragment', 'https://shop.example.com/welcome?lang=en#signup'],
    ['a #fragment and no query', 'https://shop.example.com/welcome#signup'],
    ['a vouch_ref already in the query', 'https://shop.example.com/?vouch_ref=OLD&lang=en'],
  ])('gives the same URL as setting the parameters with the URL API, for %s', (_case, landingUrl) => {
    const { prefix, suffix } = locationParts(landingUrl, 'ABCD2345');

    expect(prefix + CLICK + suffix).toBe(withSearchParams(landingUrl, 'ABCD2345'));
  });

  it('keeps the #fragment last', () => {
    const { prefix, suffix } = locationParts('https://shop.example.com/w?lang=en#signup', 'ABCD2345');

    expect(prefix + CLICK + suffix).toBe(
      `https://shop.example.com/w?lang=en&vouch_ref=ABCD2345&vouch_click=${CLICK}#signup`,
    );
  });

  it('replaces a vouch_click in the landing URL, which would otherwise come first when read', () => {
    const { prefix, suffix } = locationParts('https://shop.example.com/?vouch_click=OLD&lang=en', 'AB');
    const location = new URL(prefix + CLICK + suffix);

    expect(location.searchParams.getAll('vouch_click')).toEqual([CLICK]);
    expect(location.searchParams.get('lang')).toBe('en');
  });

  it('percent-encodes a code that needs it', () => {
    const { prefix } = locationParts('https://shop.example.com/', 'a&b=c');

    expect(new URL(`${prefix}${CLICK}`).searchParams.get('vouch_ref')).toBe('a&b=c');
  });
});

describe('cookieAttributes', () => {
  const serialize = (name: string, value: string, options: object) =>
    `${name}=${value}; ${JSON.stringify(options)}`;

  it('passes the window, path, SameSite, Secure and Domain to the serializer', () => {
    let seen: Record<string, unknown> = {};
    cookieAttributes(45, {
      secure: true,
      domain: '.example.com',
      serialize: (name, value, options) => {
        seen = options as Record<string, unknown>;
        return serialize(name, value, options);
      },
    });

    expect(seen).toEqual({
      path: '/',
      maxAge: 45 * 86_400,
      sameSite: 'lax',
      secure: true,
      httpOnly: false,
      domain: '.example.com',
    });
  });

  it('returns what follows the value, so a click only prepends name=value', () => {
    const attributes = cookieAttributes(1, { secure: false, domain: undefined, serialize });

    expect(attributes.startsWith('; ')).toBe(true);
    expect(attributes).not.toContain('domain');
  });
});
