import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { click, makeParticipant, makeProgram, recordedClick } from '../../support/factories.ts';

const LANDING = 'https://shop.example.com/welcome?lang=en';
const LANDING_ORIGIN = 'https://shop.example.com';

function parseSetCookie(header: string | string[] | undefined) {
  const line = Array.isArray(header) ? header.find((h) => h.startsWith('vouch_ref=')) : header;
  if (!line) return null;
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  const attrs = new Map(
    attributes.map((a) => {
      const i = a.indexOf('=');
      return i === -1 ? [a.toLowerCase(), ''] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
    }),
  );
  return { name: pair.slice(0, eq), value: decodeURIComponent(pair.slice(eq + 1)), attrs };
}

describe('GET /r/:code', () => {
  let t: TestApp;
  let programId: string;
  let code: string;
  let participantId: string;
  beforeAll(async () => {
    t = await createTestApp();
    programId = (await makeProgram(t, { landing_url: LANDING, attribution_window_days: 45 })).id;
    const participant = await makeParticipant(t, programId);
    code = participant.referral_code;
    participantId = participant.id;
  });
  afterAll(() => t.close());

  describe('happy', () => {
    it('redirects 302 to the landing URL, keeping its query and adding vouch_ref and vouch_click', async () => {
      const { res, location, clickId } = await click(t, code);

      expect(res.statusCode).toBe(302);
      expect(location?.origin).toBe(LANDING_ORIGIN);
      expect(location?.pathname).toBe('/welcome');
      expect(location?.searchParams.get('lang')).toBe('en');
      expect(location?.searchParams.get('vouch_ref')).toBe(code);
      expect(clickId).toMatch(/^clk_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it("keeps the landing URL's #fragment after the added parameters", async () => {
      const program = await makeProgram(t, { landing_url: 'https://shop.example.com/welcome?lang=en#join' });
      const participant = await makeParticipant(t, program.id);

      const { res, location, clickId } = await click(t, participant.referral_code);

      expect(res.statusCode).toBe(302);
      expect(location?.hash).toBe('#join');
      expect(location?.searchParams.get('lang')).toBe('en');
      expect(location?.searchParams.get('vouch_ref')).toBe(participant.referral_code);
      expect(String(res.headers.location)).toBe(
        `https://shop.example.com/welcome?lang=en&vouch_ref=${participant.referral_code}&vouch_click=${clickId}#join`,
      );
    });

    it('needs no API key', async () => {
      const { res } = await click(t, code);

      expect(res.statusCode).toBe(302);
    });

    it('finds a code typed in lowercase', async () => {
      const { res, location } = await click(t, code.toLowerCase());

      expect(res.statusCode).toBe(302);
      expect(location?.searchParams.get('vouch_ref')).toBe(code);
    });

    it('gives every click its own id', async () => {
      const first = await click(t, code);
      const second = await click(t, code);

      expect(first.clickId).not.toBe(second.clickId);
    });

    it('sets a signed vouch_ref cookie holding the code and click id for the attribution window', async () => {
      const { res, clickId } = await click(t, code);

      const cookie = parseSetCookie(res.headers['set-cookie']);
      expect(cookie).not.toBeNull();
      const [cookieCode, cookieClick, signature] = cookie?.value.split('.') ?? [];
      expect(cookieCode).toBe(code);
      expect(cookieClick).toBe(clickId);
      expect(signature).toMatch(/^[A-Za-z0-9+/_-]{20,}$/);
      expect(t.app.unsignCookie(cookie?.value ?? '')).toEqual({
        valid: true,
        renew: false,
        value: `${code}.${clickId}`,
      });
      expect(cookie?.attrs.get('max-age')).toBe(String(45 * 86_400));
      expect(cookie?.attrs.get('samesite')).toBe('Lax');
      expect(cookie?.attrs.get('path')).toBe('/');
      expect(cookie?.attrs.has('secure')).toBe(true);
    });

    it('records the click with a hashed IP, the user agent, the referring site (never the page) and the utm_* parameters', async () => {
      t.setNow(new Date('2030-03-04T05:06:07.089Z'));
      const res = await t.app.inject({
        method: 'GET',
        url: `/r/${code}?utm_source=newsletter&utm_medium=email&utm_campaign=spring&utm_term=shoes&utm_content=hero`,
        remoteAddress: '203.0.113.7',
        headers: { 'user-agent': 'Mozilla/5.0 (Test)', referer: 'https://social.example/post/1' },
      });
      t.setNow(null);
      const clickId = new URL(String(res.headers.location)).searchParams.get('vouch_click') ?? '';

      const row = await recordedClick(t, clickId);

      expect(row).toMatchObject({
        id: clickId,
        program_id: programId,
        participant_id: participantId,
        code,
        occurred_at: '2030-03-04T05:06:07.089Z',
        user_agent: 'Mozilla/5.0 (Test)',
        referer: 'https://social.example',
        utm_source: 'newsletter',
        utm_medium: 'email',
        utm_campaign: 'spring',
        utm_term: 'shoes',
        utm_content: 'hero',
      });
      expect(row.ip_hash).toEqual(expect.any(String));
      expect(row.ip_hash).not.toContain('203.0.113.7');
      expect(row.ip_hash).not.toContain('203');
    });

    it('records absent headers and parameters as null', async () => {
      const { clickId } = await click(t, code);

      const row = await recordedClick(t, clickId ?? '');

      expect(row).toMatchObject({
        referer: null,
        utm_source: null,
        utm_medium: null,
        utm_campaign: null,
        utm_term: null,
        utm_content: null,
      });
    });

    it('hashes the same IP to the same value and different IPs to different values', async () => {
      const from = async (remoteAddress: string) => {
        const res = await t.app.inject({ method: 'GET', url: `/r/${code}`, remoteAddress });
        const id = new URL(String(res.headers.location)).searchParams.get('vouch_click') ?? '';
        return (await recordedClick(t, id)).ip_hash;
      };

      const a1 = await from('198.51.100.1');
      const a2 = await from('198.51.100.1');
      const b = await from('198.51.100.2');

      expect(a1).toBe(a2);
      expect(b).not.toBe(a1);
    });

    it('caps very long header values instead of storing them whole', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/r/${code}`,
        headers: { 'user-agent': 'U'.repeat(5000) },
      });
      const id = new URL(String(res.headers.location)).searchParams.get('vouch_click') ?? '';

      const row = await recordedClick(t, id);

      expect(row.user_agent?.length).toBeLessThanOrEqual(512);
    });
  });

  describe('error', () => {
    it.each([
      ['an unknown code', 'NOSUCH99'],
      ['a code longer than any code can be', 'A'.repeat(65)],
    ])('answers %s with the 404 HTML page and no Location', async (_case, unknown) => {
      const res = await t.app.inject({ method: 'GET', url: `/r/${unknown}` });

      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.body).toContain('This referral link is not active');
      // Its one inline stylesheet is allowed by its hash; nothing else may load or run.
      expect(res.headers['content-security-policy']).toMatch(
        /^default-src 'none'; style-src 'sha256-[^']+'; /,
      );
    });

    it('answers 404 for a link whose program is paused', async () => {
      const program = await makeProgram(t);
      const participant = await makeParticipant(t, program.id);
      await t.api('PATCH', `/v1/programs/${program.id}`, { status: 'paused' });

      const { res } = await click(t, participant.referral_code);

      expect(res.statusCode).toBe(404);
      expect(res.headers.location).toBeUndefined();
    });

    it('stops redirecting within 5 s of the program being paused after the link was used', async () => {
      const start = new Date('2030-06-01T00:00:00.000Z');
      t.setNow(start);
      const program = await makeProgram(t);
      const participant = await makeParticipant(t, program.id);
      expect((await click(t, participant.referral_code)).res.statusCode).toBe(302);

      await t.api('PATCH', `/v1/programs/${program.id}`, { status: 'paused' });
      t.setNow(new Date(start.getTime() + 5_001));
      const { res } = await click(t, participant.referral_code);
      t.setNow(null);

      expect(res.statusCode).toBe(404);
    });

    it('records no click for an unknown code', async () => {
      const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
      await settle(); // earlier tests' clicks reach the database first
      const before = await t.store.db.selectFrom('clicks').select('id').execute();

      await click(t, 'NOTACODE');
      await settle();

      const after = await t.store.db.selectFrom('clicks').select('id').execute();
      expect(after).toHaveLength(before.length);
    });
  });

  describe('security', () => {
    it.each([
      ['a next= parameter', (c: string) => `/r/${c}?next=https://evil.example`],
      ['a redirect_uri= parameter', (c: string) => `/r/${c}?redirect_uri=//evil.example/x`],
      ['an encoded protocol-relative code', () => '/r/%2F%2Fevil.example'],
      ['an encoded backslash code', () => '/r/%5C%5Cevil.example'],
      ['a path traversal after the code', (c: string) => `/r/${c}/..%2F..%2Fevil.example`],
      ['an encoded traversal inside the code', (c: string) => `/r/${c}%2F..%2F..%2Fevil.example`],
      ['a double slash after /r', () => '/r//evil.example'],
      ['an absolute URL as the code', () => `/r/${encodeURIComponent('https://evil.example')}`],
      ['a CRLF in the query', (c: string) => `/r/${c}?x=%0d%0aLocation:%20https://evil.example`],
    ])('never sends a visitor off the landing origin: %s', async (_case, url) => {
      const res = await t.app.inject({ method: 'GET', url: url(code) });

      if (res.statusCode === 404) {
        expect(res.headers.location).toBeUndefined();
      } else {
        expect(res.statusCode).toBe(302);
        expect(new URL(String(res.headers.location)).origin).toBe(LANDING_ORIGIN);
      }
      expect(String(res.headers.location ?? '')).not.toContain('evil.example');
    });

    it('keeps the cookie first-party: no Domain attribute unless one is configured', async () => {
      const { res } = await click(t, code);

      expect(parseSetCookie(res.headers['set-cookie'])?.attrs.has('domain')).toBe(false);
    });

    it('does not let a visitor forge the cookie: a tampered value fails verification', async () => {
      const { res } = await click(t, code);
      const cookie = parseSetCookie(res.headers['set-cookie']);
      const [, clickId, signature] = cookie?.value.split('.') ?? [];

      expect(t.app.unsignCookie(`SOMEONE-ELSE.${clickId}.${signature}`).valid).toBe(false);
    });
  });
});
