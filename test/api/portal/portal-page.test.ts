import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';
import { csrfIn, portalCookie, portalGet } from '../../support/portal.ts';

// jsqr is CommonJS whose module.exports is the decoder itself.
const jsQR = createRequire(import.meta.url)('jsqr') as typeof import('jsqr').default;

// What a signed-in referrer sees at /p/: their link, code and QR code, share buttons that are
// counted, their friends (never a friend's full email) and their rewards and balances.

let t: TestApp;
let programId: string;
let referrer: { id: string; referral_code: string };
let cookie: string;

async function referFriend(email: string | null, buys: boolean) {
  const friend = unique('friend');
  const customer = email ? { external_id: friend, email } : { external_id: friend };
  const signup = await t.api('POST', '/v1/events', {
    ...event('signup', friend, { referral: { code: referrer.referral_code } }),
    customer,
  });
  expect(signup.body.result.outcome, JSON.stringify(signup.body)).toBe('referral_created');
  if (buys) await t.api('POST', '/v1/events', event('purchase', friend, { amount: 4200, currency: 'USD' }));
}

beforeAll(async () => {
  t = await createTestApp();
  programId = (
    await makeProgram(t, {
      name: 'Northwind Coffee',
      payout_minimums: { USD: 5000 },
      rewards: { referrer: { amount: 1000, currency: 'USD' }, referee: { amount: 1500, currency: 'USD' } },
    })
  ).id;
  referrer = await makeParticipant(t, programId, { name: 'Ada Lovelace', email: 'ada@example.com' });
  await referFriend('sam.smith@example.net', true);
  await referFriend('lee@example.org', false);
  await referFriend(null, false);
  cookie = await portalCookie(t, referrer.id, { return_url: 'https://shop.example.com/account' });
});
afterAll(() => t.close());

describe('GET /p/', () => {
  it("shows the referrer's link, code and the offer", async () => {
    const res = await portalGet(t, cookie, '/p/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<h1>Your referrals at Northwind Coffee</h1>');
    expect(res.body).toContain(`value="https://vouch.example.com/r/${referrer.referral_code}"`);
    expect(res.body).toContain(`Your code: ${referrer.referral_code}`);
    expect(res.body).toContain(
      'Your friends get $15, and you get $10 for each friend whose referral qualifies.',
    );
    expect(res.body).toContain('href="https://shop.example.com/account">Back to Northwind Coffee</a>');
  });

  it('lists each friend with a masked email and how far they got, never their address', async () => {
    const res = await portalGet(t, cookie, '/p/');
    expect(res.body).toMatch(/<td>s\*\*\*@example\.net<\/td><td>[^<]+<\/td><td>Rewarded<\/td>/);
    expect(res.body).toMatch(/<td>l\*\*\*@example\.org<\/td><td>[^<]+<\/td><td>Signed up<\/td>/);
    expect(res.body).toMatch(/<td>A friend<\/td><td>[^<]+<\/td><td>Signed up<\/td>/);
    expect(res.body).not.toContain('sam.smith');
    expect(res.body).not.toContain('lee@');
  });

  it('shows the balances, the pending reward with its date, and the way to the payout minimum', async () => {
    const res = await portalGet(t, cookie, '/p/');
    expect(res.body).toContain('<dt>Pending</dt><dd>$10</dd>');
    expect(res.body).toContain('<dt>Available</dt><dd>$0</dd>');
    expect(res.body).toMatch(/Pending until [A-Z][a-z]{2} \d{1,2}, \d{4}/);
    expect(res.body).toContain('Payouts start at $50: $50 to go.');
  });

  it('speaks the language of the sign-in, unless the page is asked for another', async () => {
    const german = await portalCookie(t, referrer.id, { locale: 'de-AT' });
    expect((await portalGet(t, german, '/p/')).body).toContain('<html lang="de" dir="ltr">');
    expect((await portalGet(t, german, '/p/?locale=ar')).body).toContain('<html lang="ar" dir="rtl">');
  });

  it('allows only its own script file, no inline script, and no frame', async () => {
    const res = await portalGet(t, cookie, '/p/');
    const policy = String(res.headers['content-security-policy']);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(res.body.match(/<script[^>]*>/g)).toEqual(['<script src="/p/portal.js" defer>']);
    const script = await t.app.inject({ method: 'GET', url: '/p/portal.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('hides the copy and Web Share buttons until the script shows them', async () => {
    const res = await portalGet(t, cookie, '/p/');
    expect(res.body).toMatch(
      /<button type="button" id="copy-link" data-copied="Copied" hidden>Copy link<\/button>/,
    );
    expect(res.body).toContain(
      'id="web-share" data-message="I use Northwind Coffee and think you would like it.',
    );
  });
});

describe('the QR code', () => {
  it('reads back as the referral link, in PNG', async () => {
    const res = await portalGet(t, cookie, '/p/qr.png');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const png = PNG.sync.read(res.raw);
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(`https://vouch.example.com/r/${referrer.referral_code}`);
  });

  it('is an SVG for the page', async () => {
    const res = await portalGet(t, cookie, '/p/qr.svg');
    expect(res.headers['content-type']).toContain('image/svg+xml');
    expect(res.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('is only for a signed-in referrer', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/p/qr.png' });
    expect(res.statusCode).toBe(401);
  });
});

describe('share buttons', () => {
  it.each([
    ['whatsapp', 'https://wa.me/?text='],
    ['email', 'mailto:?subject=Northwind%20Coffee&body='],
    ['x', 'https://x.com/intent/post?text='],
  ])(
    '%s is recorded as a share, then leads to the channel with the message and link',
    async (channel, start) => {
      const before = await t.store.db
        .selectFrom('shares')
        .selectAll()
        .where('channel', '=', channel)
        .execute();
      const res = await portalGet(t, cookie, `/p/share/${channel}`);
      expect(res.status).toBe(303);
      const location = String(res.headers.location);
      expect(location.startsWith(start)).toBe(true);
      expect(decodeURIComponent(location)).toContain(`https://vouch.example.com/r/${referrer.referral_code}`);
      expect(decodeURIComponent(location)).toContain('Join through my link and you get $15');
      const after = await t.store.db
        .selectFrom('shares')
        .selectAll()
        .where('channel', '=', channel)
        .execute();
      expect(after.length).toBe(before.length + 1);
      expect(after.at(-1)).toMatchObject({
        participant_id: referrer.id,
        program_id: programId,
        source: 'portal',
      });
    },
  );

  it('refuses a channel it does not know with 404, recording nothing', async () => {
    const res = await portalGet(t, cookie, '/p/share/myspace');
    expect(res.status).toBe(404);
    expect(
      await t.store.db.selectFrom('shares').selectAll().where('channel', '=', 'myspace').execute(),
    ).toEqual([]);
  });
});

describe('POST /p/shares', () => {
  const beacon = (session: string, body: string) =>
    t.app.inject({
      method: 'POST',
      url: '/p/shares',
      headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
      payload: body,
    });
  const copies = async () =>
    (await t.store.db.selectFrom('shares').selectAll().where('channel', '=', 'copy').execute()).length;

  it("records a use of the copy button with the page's token", async () => {
    const before = await copies();
    const csrf = csrfIn((await portalGet(t, cookie, '/p/')).body);
    const res = await beacon(cookie, `channel=copy&csrf=${csrf}`);
    expect(res.statusCode).toBe(204);
    expect(await copies()).toBe(before + 1);
  });

  it.each([
    ['a forged token', 'channel=copy&csrf=forged', 403, 'invalid_csrf_token', 'csrf'],
    ['an unknown channel', 'channel=fax&csrf=CSRF', 400, 'invalid_value', 'channel'],
  ])('records nothing with %s', async (_case, body, status, code, param) => {
    const before = await t.store.db.selectFrom('shares').selectAll().execute();
    const csrf = csrfIn((await portalGet(t, cookie, '/p/')).body);
    const res = await beacon(cookie, body.replace('CSRF', csrf));
    expect(res.statusCode).toBe(status);
    expect(res.json().error).toMatchObject({ code, param });
    expect((await t.store.db.selectFrom('shares').selectAll().execute()).length).toBe(before.length);
  });
});

describe('POST /p/sign-out', () => {
  const signOut = (session: string, body: string) =>
    t.app.inject({
      method: 'POST',
      url: '/p/sign-out',
      headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
      payload: body,
    });

  it('does nothing without the CSRF token of the page', async () => {
    const session = await portalCookie(t, referrer.id);
    const res = await signOut(session, 'csrf=forged');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/p/');
    expect((await portalGet(t, session, '/p/')).status).toBe(200);
  });

  it('ends this session with the token, and leads back to the return_url', async () => {
    const session = await portalCookie(t, referrer.id, { return_url: 'https://shop.example.com/account' });
    const other = await portalCookie(t, referrer.id);
    const csrf = csrfIn((await portalGet(t, session, '/p/')).body);
    const res = await signOut(session, `csrf=${csrf}`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('https://shop.example.com/account');
    expect((await portalGet(t, session, '/p/')).status).toBe(401);
    expect((await portalGet(t, other, '/p/')).status).toBe(200);
  });

  it('ends every session of the participant with everywhere=1', async () => {
    const session = await portalCookie(t, referrer.id);
    const other = await portalCookie(t, referrer.id);
    const csrf = csrfIn((await portalGet(t, session, '/p/')).body);
    const res = await signOut(session, `csrf=${csrf}&everywhere=1`);
    expect(res.headers.location).toBe('/p/signed-out');
    expect((await portalGet(t, session, '/p/')).status).toBe(401);
    expect((await portalGet(t, other, '/p/')).status).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/p/signed-out' })).body).toContain(
      'You are signed out',
    );
  });
});
