// On a listening server, referral links are answered before Fastify's routing (the fast path in
// src/http/app.ts). These tests follow links over real HTTP and check the fast path answers exactly
// as the Fastify route does through `inject`, and leaves every other request to Fastify.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipHasher } from '../../../src/http/edge/ip-hasher.ts';
import { createTestApp, TEST_SECRET, type TestApp } from '../../support/app.ts';
import { makeParticipant, makeProgram, recordedClick } from '../../support/factories.ts';

/** The headers that must agree between two answers to the same link: all but per-click values. */
function comparable(headers: Headers | Record<string, unknown>) {
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) : ((headers[name] as string | undefined) ?? null);
  const location = get('location');
  const raw = headers instanceof Headers ? headers.getSetCookie() : headers['set-cookie'];
  const cookies = (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]).map((c) =>
    String(c)
      .replace(/^vouch_ref=[^;]+/, 'vouch_ref=*')
      .replace(/^vouch_device=dev_\w+/, 'vouch_device=*'),
  );
  return {
    'content-type': get('content-type'),
    'cache-control': get('cache-control'),
    'content-length': get('content-length'),
    location: location?.replace(/vouch_click=clk_\w+/, 'vouch_click=*') ?? null,
    cookies,
  };
}

describe.each([
  ['directly', {}],
  ['behind a trusted proxy', { VOUCH_TRUST_PROXY: 'true' }],
])('referral links on a listening server, %s', (_name, env) => {
  let t: TestApp;
  let base: string;
  let code: string;
  const trusted = 'VOUCH_TRUST_PROXY' in env;

  beforeAll(async () => {
    t = await createTestApp(env);
    const program = await makeProgram(t, { landing_url: 'https://shop.example.com/welcome?lang=en#join' });
    code = (await makeParticipant(t, program.id)).referral_code;
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  const follow = (path: string, init: RequestInit = {}) =>
    fetch(base + path, { redirect: 'manual', ...init });

  it('answers a link as the Fastify route does, with a cookie that verifies', async () => {
    const res = await follow(`/r/${code}`);
    const injected = await t.app.inject({ method: 'GET', url: `/r/${code}` });

    expect(res.status).toBe(302);
    expect(comparable(res.headers)).toEqual(comparable(injected.headers));
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.hash).toBe('#join');
    expect(location.searchParams.get('vouch_ref')).toBe(code);
    const clickId = location.searchParams.get('vouch_click');
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]?.slice('vouch_ref='.length) ?? '';
    expect(t.app.unsignCookie(decodeURIComponent(cookie))).toEqual({
      valid: true,
      renew: false,
      value: `${code}.${clickId}`,
    });
  });

  it('records the click with its headers, UTM parameters and the hash of the client address', async () => {
    const query = '?utm_source=news&utm_medium=email&utm_campaign=spring&utm_term=shoes&utm_content=hero';
    const res = await follow(`/r/${code.toLowerCase()}${query}`, {
      headers: {
        'user-agent': 'Mozilla/5.0 (Fast path)',
        referer: 'https://social.example',
        'x-forwarded-for': '203.0.113.9, 10.0.0.1',
      },
    });
    const clickId = new URL(res.headers.get('location') ?? '').searchParams.get('vouch_click') ?? '';

    const row = await recordedClick(t, clickId);

    const hashIp = ipHasher(TEST_SECRET);
    expect(row).toMatchObject({
      code,
      user_agent: 'Mozilla/5.0 (Fast path)',
      referer: 'https://social.example',
      utm_source: 'news',
      utm_medium: 'email',
      utm_campaign: 'spring',
      utm_term: 'shoes',
      utm_content: 'hero',
      ip_hash: hashIp(trusted ? '203.0.113.9' : '127.0.0.1'),
    });
  });

  it('answers a code with broken percent-encoding with the 404 page', async () => {
    // Through Fastify's router (inject) the same URL is a 400: the fast path sees visitors only.
    const res = await follow('/r/%E0%A4%A');

    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('answers HEAD like GET', async () => {
    const res = await follow(`/r/${code}`, { method: 'HEAD' });

    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toContain(`vouch_ref=${code}`);
  });

  it.each([
    ['an unknown code', '/r/NOSUCH99'],
    ['a code longer than any code can be', `/r/${'A'.repeat(65)}`],
    ['a link with no code', '/r/'],
  ])('answers %s with the 404 page, as the Fastify route does', async (_case, path) => {
    const res = await follow(path);
    const injected = await t.app.inject({ method: 'GET', url: path });

    expect(res.status).toBe(404);
    expect(injected.statusCode).toBe(404);
    expect(await res.text()).toBe(injected.body);
    expect(comparable(res.headers)).toEqual(comparable(injected.headers));
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it.each([
    ['a path below a link', 'GET', '/r/{code}/more'],
    ['another method on a link', 'POST', '/r/{code}'],
  ])('leaves %s to Fastify, which answers 404 in the error shape', async (_case, method, path) => {
    const res = await follow(path.replace('{code}', code), { method });

    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found', type: 'invalid_request' } });
  });

  it('still serves the API through Fastify', async () => {
    const res = await fetch(`${base}/v1/programs`, { headers: { authorization: `Bearer ${t.key}` } });

    expect(res.status).toBe(200);
  });
});
