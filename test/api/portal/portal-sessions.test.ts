import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../src/services/access/api-keys.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { makeParticipant, makeProgram } from '../../support/factories.ts';
import { portalGet } from '../../support/portal.ts';

// Signing a referrer in: the business's backend asks for a one-time link, the referrer's browser
// opens it once, within a minute, and holds a session cookie from then on.

let t: TestApp;
let participantId: string;
const MINUTE = 60_000;

beforeAll(async () => {
  t = await createTestApp();
  const program = await makeProgram(t);
  participantId = (await makeParticipant(t, program.id, { name: 'Ada Lovelace' })).id;
});
afterAll(() => t.close());

const ask = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  t.api('POST', '/v1/portal_sessions', body, headers);
const open = (url: string) => t.app.inject({ method: 'GET', url: new URL(url).pathname });

describe('POST /v1/portal_sessions', () => {
  it('answers a one-time URL valid for a minute', async () => {
    const at = new Date('2026-12-04T10:00:00.000Z');
    t.setNow(at);
    try {
      const res = await ask({ participant_id: participantId });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ object: 'portal_session', participant_id: participantId });
      expect(res.body.url).toMatch(/^https:\/\/vouch\.example\.com\/p\/sign-in\/[A-Za-z0-9_-]{43}$/);
      expect(res.body.expires_at).toBe('2026-12-04T10:01:00.000Z');
    } finally {
      t.setNow(null);
    }
  });

  it('stores the token hashed, never as sent', async () => {
    const res = await ask({ participant_id: participantId });
    const token = String(res.body.url).split('/').pop() as string;
    const rows = await t.store.db.selectFrom('portal_sign_ins').select('token_hash').execute();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it.each([
    ['an unknown participant', { participant_id: 'par_missing' }, 404, 'resource_missing', 'participant_id'],
    ['a locale that is not BCP 47', { locale: 'not a tag' }, 400, 'invalid_locale', 'locale'],
    [
      'a return_url that is not http(s)',
      { return_url: 'javascript:alert(1)' },
      400,
      'invalid_url',
      'return_url',
    ],
    ['no participant', { participant_id: undefined }, 400, 'missing_field', 'participant_id'],
    ['an unknown field', { email: 'a@example.com' }, 400, 'unknown_field', 'email'],
  ])('refuses %s, writing nothing', async (_case, extra, status, code, param) => {
    const before = await t.store.db.selectFrom('portal_sign_ins').select('token_hash').execute();
    const res = await ask({ participant_id: participantId, ...extra });
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ code, param });
    const after = await t.store.db.selectFrom('portal_sign_ins').select('token_hash').execute();
    expect(after.length).toBe(before.length);
  });

  it('refuses a disabled participant with 422', async () => {
    const program = await makeProgram(t);
    const p = await makeParticipant(t, program.id);
    await t.api('PATCH', `/v1/participants/${p.id}`, { status: 'disabled' });
    const res = await ask({ participant_id: p.id });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'participant_disabled', param: 'participant_id' });
  });

  it('needs the portal:write scope: a key for events or reading cannot sign anyone in', async () => {
    const now = new Date();
    for (const scopes of [['events:write'], ['read']]) {
      const { plaintext } = await t.store.transaction((trx) => createApiKey(trx, 'narrow', now, { scopes }));
      const res = await ask({ participant_id: participantId }, { authorization: `Bearer ${plaintext}` });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('insufficient_scope');
    }
    const { plaintext } = await t.store.transaction((trx) =>
      createApiKey(trx, 'portal', now, { scopes: ['portal:write'] }),
    );
    expect(
      (await ask({ participant_id: participantId }, { authorization: `Bearer ${plaintext}` })).status,
    ).toBe(201);
  });
});

describe('GET /p/sign-in/:token', () => {
  it('signs in once: an HttpOnly, SameSite=Lax cookie scoped to /p, then on to the portal', async () => {
    const { body } = await ask({ participant_id: participantId });
    const first = await open(body.url);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/p/');
    const cookie = String([first.headers['set-cookie']].flat()[0]);
    expect(cookie).toMatch(/^vouch_portal=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('Path=/p');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Max-Age=43200');

    const portal = await portalGet(t, cookie.split(';')[0] as string, '/p/');
    expect(portal.status).toBe(200);
    expect(portal.body).toContain('Hello, Ada.');

    const again = await open(body.url);
    expect(again.statusCode).toBe(401);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.body).toContain('This sign-in link cannot be used');
  });

  it('refuses a link opened after its minute, and a forged one, with 401 and a page', async () => {
    const { body } = await ask({ participant_id: participantId });
    t.setNow(new Date(Date.now() + MINUTE + 1000));
    try {
      const late = await open(body.url);
      expect(late.statusCode).toBe(401);
      expect(late.headers['content-security-policy']).toContain("default-src 'none'");
    } finally {
      t.setNow(null);
    }
    const forged = await t.app.inject({
      method: 'GET',
      url: '/p/sign-in/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(forged.statusCode).toBe(401);
  });

  it('lets exactly one of several openings of one link sign in', async () => {
    const { body } = await ask({ participant_id: participantId });
    const answers = await Promise.all(Array.from({ length: 5 }, () => open(body.url)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([303, 401, 401, 401, 401]);
  });
});

describe('GET /p/ without a session', () => {
  it.each([
    ['no cookie', {}],
    ['a cookie that names no session', { cookie: 'vouch_portal=nothing' }],
  ])('answers 401 with a page asking to sign in, with %s', async (_case, headers) => {
    const res = await t.app.inject({ method: 'GET', url: '/p/', headers });
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('<h1>Please sign in</h1>');
  });

  it("ends a referrer's sessions when the business disables them", async () => {
    const program = await makeProgram(t);
    const p = await makeParticipant(t, program.id);
    const { body } = await ask({ participant_id: p.id });
    const cookie = String([(await open(body.url)).headers['set-cookie']].flat()[0]).split(';')[0] as string;
    expect((await portalGet(t, cookie, '/p/')).status).toBe(200);
    await t.api('PATCH', `/v1/participants/${p.id}`, { status: 'disabled' });
    expect((await portalGet(t, cookie, '/p/')).status).toBe(401);
  });

  it('ends a session after 12 hours', async () => {
    const { body } = await ask({ participant_id: participantId });
    const cookie = String([(await open(body.url)).headers['set-cookie']].flat()[0]).split(';')[0] as string;
    t.setNow(new Date(Date.now() + 12 * 60 * MINUTE + 1000));
    try {
      expect((await portalGet(t, cookie, '/p/')).status).toBe(401);
    } finally {
      t.setNow(null);
    }
  });
});
