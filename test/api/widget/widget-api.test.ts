import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';

// The share widget's API: a widget token from the portal sign-in, read and written only from
// the program's embed origins, and only ever about the token's own participant.

let t: TestApp;
let ada: { id: string; referral_code: string };
let grace: { id: string; referral_code: string };
const SHOP = 'https://shop.example.com';
const EVIL = 'https://evil.example.net';
const HOUR = 3_600_000;

async function widgetToken(participantId: string): Promise<string> {
  const res = await t.api('POST', '/v1/portal_sessions', { participant_id: participantId });
  expect(res.status).toBe(201);
  return res.body.widget_token as string;
}

const widget = (
  method: 'GET' | 'POST' | 'OPTIONS',
  url: string,
  headers: Record<string, string>,
  body?: unknown,
) => t.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });

beforeAll(async () => {
  t = await createTestApp();
  const program = await makeProgram(t, {
    name: 'Northwind',
    embed_origins: [SHOP],
    rewards: { referrer: { amount: 1000, currency: 'EUR' }, referee: { amount: 1500, currency: 'EUR' } },
  });
  ada = await makeParticipant(t, program.id, { name: 'Ada Lovelace' });
  grace = await makeParticipant(t, program.id, { name: 'Grace Hopper' });
  const friend = unique('friend');
  await t.api('POST', '/v1/events', {
    ...event('signup', friend, { referral: { code: ada.referral_code } }),
    customer: { external_id: friend, email: 'sam@example.net' },
  });
});
afterAll(() => t.close());

describe('the widget token', () => {
  it('comes with every portal sign-in, valid for an hour, stored only as its hash', async () => {
    const at = new Date('2026-12-04T10:00:00.000Z');
    t.setNow(at);
    try {
      const res = await t.api('POST', '/v1/portal_sessions', { participant_id: ada.id });
      expect(res.body.widget_token).toMatch(/^wgt_[A-Za-z0-9_-]{43}$/);
      expect(res.body.widget_token_expires_at).toBe('2026-12-04T11:00:00.000Z');
      const rows = await t.store.db.selectFrom('widget_tokens').selectAll().execute();
      expect(rows.some((r) => r.token_hash === res.body.widget_token)).toBe(false);
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
    } finally {
      t.setNow(null);
    }
  });
});

describe('GET /w/v1/referrer', () => {
  it("answers the token's referrer, in the locale asked for, with CORS for an embed origin", async () => {
    const token = await widgetToken(ada.id);
    const res = await widget('GET', '/w/v1/referrer?locale=ar', {
      authorization: `Bearer ${token}`,
      origin: SHOP,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(SHOP);
    expect(res.headers.vary).toContain('origin');
    const body = res.json();
    expect(body).toMatchObject({
      object: 'widget',
      locale: 'ar',
      dir: 'rtl',
      code: ada.referral_code,
      link: `https://vouch.example.com/r/${ada.referral_code}`,
      friends: { joined: 1, qualified: 0, capped: false },
    });
    expect(body.text.copy).toBe('نسخ الرابط');
    expect(body.channels.map((c: { channel: string }) => c.channel)).toContain('whatsapp');
    expect(body.offer).toBeTruthy();
  });

  it('answers a server, which sends no Origin, without CORS headers', async () => {
    const res = await widget('GET', '/w/v1/referrer', {
      authorization: `Bearer ${await widgetToken(ada.id)}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses another origin with 403 origin_not_allowed and no CORS header', async () => {
    const res = await widget('GET', '/w/v1/referrer', {
      authorization: `Bearer ${await widgetToken(ada.id)}`,
      origin: EVIL,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'origin_not_allowed', type: 'permission_error' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each([
    ['no token', undefined],
    ['a forged token', 'wgt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['an API key', 'sk_test'],
  ])('refuses %s with 401 invalid_widget_token', async (_case, token) => {
    const headers: Record<string, string> = { origin: SHOP };
    if (token) headers.authorization = `Bearer ${token === 'sk_test' ? t.key : token}`;
    const res = await widget('GET', '/w/v1/referrer', headers);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('invalid_widget_token');
  });

  it('refuses a token past its hour', async () => {
    const token = await widgetToken(ada.id);
    t.setNow(new Date(Date.now() + HOUR + 1000));
    try {
      const res = await widget('GET', '/w/v1/referrer', { authorization: `Bearer ${token}`, origin: SHOP });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('invalid_widget_token');
    } finally {
      t.setNow(null);
    }
  });

  it("never answers another participant's data: the token alone says whose", async () => {
    const res = await widget('GET', `/w/v1/referrer?participant_id=${ada.id}`, {
      authorization: `Bearer ${await widgetToken(grace.id)}`,
    });
    // The query string takes no participant: asked for one, the route refuses the field.
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'unknown_field', param: 'participant_id' });
    const own = await widget('GET', '/w/v1/referrer', {
      authorization: `Bearer ${await widgetToken(grace.id)}`,
    });
    expect(own.json()).toMatchObject({ code: grace.referral_code, friends: { joined: 0 } });
  });

  it('stops working once its participant is disabled', async () => {
    const program = await makeProgram(t, { embed_origins: [SHOP] });
    const p = await makeParticipant(t, program.id);
    const token = await widgetToken(p.id);
    await t.api('PATCH', `/v1/participants/${p.id}`, { status: 'disabled' });
    const res = await widget('GET', '/w/v1/referrer', { authorization: `Bearer ${token}` });
    expect(res.statusCode).toBe(401);
  });
});

describe('CORS preflight', () => {
  const ask = (origin?: string) =>
    widget('OPTIONS', '/w/v1/shares', {
      ...(origin ? { origin } : {}),
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    });

  it('allows an embed origin, its methods and headers', async () => {
    const res = await ask(SHOP);
    expect(res.statusCode).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': SHOP,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization, content-type',
    });
  });

  it.each([EVIL, undefined])('refuses %s with 403 and no CORS header', async (origin) => {
    const res = await ask(origin);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('origin_not_allowed');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('POST /w/v1/shares', () => {
  const shares = () => t.store.db.selectFrom('shares').selectAll().where('source', '=', 'widget').execute();

  it("records a share for the token's participant, as the widget's", async () => {
    const res = await widget(
      'POST',
      '/w/v1/shares',
      {
        authorization: `Bearer ${await widgetToken(ada.id)}`,
        origin: SHOP,
        'content-type': 'application/json',
      },
      { channel: 'whatsapp' },
    );
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(SHOP);
    expect(await shares()).toEqual([
      expect.objectContaining({ participant_id: ada.id, channel: 'whatsapp', source: 'widget' }),
    ]);
  });

  it.each([
    ['an unknown channel', { channel: 'myspace' }, 400, 'invalid_value'],
    ['a participant named in the body', { channel: 'copy', participant_id: 'par_x' }, 400, 'unknown_field'],
  ])('refuses %s, recording nothing', async (_case, body, status, code) => {
    const before = (await shares()).length;
    const res = await widget(
      'POST',
      '/w/v1/shares',
      { authorization: `Bearer ${await widgetToken(ada.id)}`, 'content-type': 'application/json' },
      body,
    );
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
    expect((await shares()).length).toBe(before);
  });

  it('records nothing from another origin', async () => {
    const before = (await shares()).length;
    const res = await widget(
      'POST',
      '/w/v1/shares',
      {
        authorization: `Bearer ${await widgetToken(ada.id)}`,
        origin: EVIL,
        'content-type': 'application/json',
      },
      { channel: 'copy' },
    );
    expect(res.statusCode).toBe(403);
    expect((await shares()).length).toBe(before);
  });
});
