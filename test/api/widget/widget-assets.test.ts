import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { makeParticipant, makeProgram } from '../../support/factories.ts';

// What the business's page loads: the widget's script, and the iframe page with its policy.

let t: TestApp;
let token: string;
const SHOP = 'https://shop.example.com';
const SHOP2 = 'https://www.shop.example.com';

beforeAll(async () => {
  t = await createTestApp();
  const program = await makeProgram(t, { embed_origins: [SHOP, SHOP2] });
  const p = await makeParticipant(t, program.id);
  token = (await t.api('POST', '/v1/portal_sessions', { participant_id: p.id })).body.widget_token;
});
afterAll(() => t.close());

describe('GET /widget.js', () => {
  it('is JavaScript, cached for long, under 20 KB gzipped, loading nothing from elsewhere', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/widget.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toMatch(/public, max-age=86400/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(gzipSync(res.rawPayload).length).toBeLessThan(20 * 1024);
    // Only the origin it came from is ever fetched; no URL of anyone else's is written in it.
    expect(res.body).not.toMatch(/https?:\/\/(?!\S*\$\{)/);
    expect(res.body).not.toMatch(/innerHTML|insertAdjacentHTML|eval\(/);
  });

  it('answers 304 to a browser that holds the same script', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/widget.js' });
    const again = await t.app.inject({
      method: 'GET',
      url: '/widget.js',
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });
});

describe('GET /w/frame', () => {
  it('may be framed by the embed origins only, with no inline script', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/w/frame?token=${token}` });
    expect(res.statusCode).toBe(200);
    const policy = String(res.headers['content-security-policy']);
    expect(policy).toContain(`frame-ancestors ${SHOP} ${SHOP2}`);
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body).toContain('<script src="/w/frame.js" defer></script>');
    expect(res.body).not.toMatch(/<script>/);
    expect(res.body).toContain(`data-parent-origins="[&quot;${SHOP}&quot;,&quot;${SHOP2}&quot;]"`);
  });

  it('answers a page that no site may frame for a forged token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/w/frame?token=wgt_forged' });
    expect(res.statusCode).toBe(401);
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });
});
