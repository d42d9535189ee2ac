import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../support/app.ts';
import { createEmailTestApp, type EmailTestApp } from '../../support/emails.ts';
import { makeParticipant, makeProgram, unique } from '../../support/factories.ts';
import { portalGet } from '../../support/portal.ts';

// The hosted portal's sign-in by email: a single-use link, valid 15 minutes, the same answer for
// an address known or not, a page that waits for a click (mail scanners open links), limits.

let t: EmailTestApp;
let programId: string;

const form = (payload: Record<string, string>) => ({
  method: 'POST' as const,
  url: '/p/sign-in',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(payload).toString(),
});

/** Asks for a link and reads it from the email that arrives. */
async function linkFor(address: string): Promise<string> {
  const before = t.smtp.received.length;
  const asked = await t.app.inject(form({ email: address }));
  expect(asked.statusCode).toBe(200);
  await t.deliver();
  const mail = t.smtp.received.slice(before).find((r) => r.envelope.to.includes(address));
  const url = /https:\/\/vouch\.example\.com(\/p\/sign-in\/email\/[\w-]+)/.exec(mail?.mail.text ?? '')?.[1];
  if (!url) throw new Error(`no sign-in link in ${mail?.mail.text}`);
  return url;
}

beforeAll(async () => {
  t = await createEmailTestApp();
  programId = (await makeProgram(t, { name: 'Northwind Coffee' })).id;
});
afterAll(() => t.close());

describe('asking for a link', () => {
  it('shows a form in the reader’s language', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/p/sign-in?program=${programId}&locale=fr` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="fr" dir="ltr">');
    expect(res.body).toContain('type="email"');
    expect(res.body).toContain(`name="program" value="${programId}"`);
    expect(res.headers['content-security-policy']).toContain("form-action 'self'");
  });

  it('answers a known and an unknown address alike, and emails only the known one', async () => {
    const known = `${unique('known')}@example.com`;
    await makeParticipant(t, programId, { email: known });
    await t.deliver();
    const before = t.smtp.received.length;
    const a = await t.app.inject(form({ email: known.toUpperCase() }));
    const b = await t.app.inject(form({ email: `${unique('nobody')}@example.com` }));
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.body).toBe(b.body);
    expect(a.body).toContain('Check your email');
    await t.deliver();
    const sent = t.smtp.received.slice(before);
    expect(sent.map((r) => [r.envelope.to, r.mail.subject])).toEqual([
      [[known], 'Your sign-in link for Northwind Coffee'],
    ]);
    expect(sent[0]?.mail.text).toContain('within 15 minutes');
  });

  it('refuses what is not an address with the form again, saying so', async () => {
    const res = await t.app.inject(form({ email: 'not-an-address' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('aria-invalid="true"');
    expect(res.body).toContain('Enter a valid email address');
  });
});

describe('the emailed link', () => {
  it('opens a page that uses nothing; its button signs in once', async () => {
    const address = `${unique('ada')}@example.com`;
    const ada = await makeParticipant(t, programId, { name: 'Ada', email: address });
    const path = await linkFor(address);
    for (const _ of [1, 2]) {
      const page = await t.app.inject({ method: 'GET', url: path });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`action="${path}"`);
      expect(page.headers['set-cookie']).toBeUndefined();
    }
    const signedIn = await t.app.inject({ method: 'POST', url: path });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/p/');
    const cookie = String([signedIn.headers['set-cookie']].flat()[0]);
    expect(cookie).toMatch(/^vouch_portal=[^;]+;.*HttpOnly/);
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Secure');
    const portal = await portalGet(t, cookie.split(';')[0] as string, '/p/');
    expect(portal.status).toBe(200);
    expect(portal.body).toContain(ada.referral_code);
    const reused = await t.app.inject({ method: 'POST', url: path });
    expect(reused.statusCode).toBe(401);
    expect(reused.body).toContain('Email me a new link');
    expect((await t.app.inject({ method: 'GET', url: path })).statusCode).toBe(401);
  });

  it('is worthless after 15 minutes, forged, or opened as an API link', async () => {
    const address = `${unique('late')}@example.com`;
    await makeParticipant(t, programId, { email: address });
    const path = await linkFor(address);
    const token = path.split('/').pop() as string;
    // An emailed link never opens by a plain GET, as the API's one-minute links do.
    expect((await t.app.inject({ method: 'GET', url: `/p/sign-in/${token}` })).statusCode).toBe(401);
    t.setNow(new Date(Date.now() + 15 * 60_000 + 1_000));
    try {
      expect((await t.app.inject({ method: 'POST', url: path })).statusCode).toBe(401);
    } finally {
      t.setNow(null);
    }
    const forged = await t.app.inject({ method: 'POST', url: '/p/sign-in/email/forged-token' });
    expect(forged.statusCode).toBe(401);
  });

  it('reaches only the participant it was sent to, in the program asked for', async () => {
    const address = `${unique('two')}@example.com`;
    const other = (await makeProgram(t, { name: 'Other Roasters' })).id;
    await makeParticipant(t, programId, { email: address });
    await makeParticipant(t, other, { email: address });
    await t.deliver();
    const before = t.smtp.received.length;
    await t.app.inject(form({ email: address, program: other }));
    await t.deliver();
    expect(t.smtp.received.slice(before).map((r) => r.mail.subject)).toEqual([
      'Your sign-in link for Other Roasters',
    ]);
  });
});

describe('limits and configuration', () => {
  it('a flood of requests for one address gets 429', async () => {
    const limited = await createEmailTestApp({ VOUCH_RATE_LIMIT_SIGN_IN_EMAIL: '3/1h' });
    try {
      const address = `${unique('flood')}@example.com`;
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await limited.app.inject(form({ email: address }))).statusCode);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const last = await limited.app.inject(form({ email: address }));
      expect(last.body).toContain('Too many requests');
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
      // Another address from the same client is not held back by this one.
      expect((await limited.app.inject(form({ email: `${unique('x')}@example.com` }))).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('and from one client address', async () => {
    const limited = await createEmailTestApp({ VOUCH_RATE_LIMIT_SIGN_IN_IP: '2/1h' });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 3; i++)
        codes.push((await limited.app.inject(form({ email: `${unique('ip')}@example.com` }))).statusCode);
      expect(codes).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
  });

  it('without SMTP there is no email sign-in, and no email is written', async () => {
    const plain = await createTestApp();
    try {
      expect((await plain.app.inject({ method: 'GET', url: '/p/sign-in' })).statusCode).toBe(404);
      expect((await plain.app.inject(form({ email: 'a@example.com' }))).statusCode).toBe(404);
      const program = (await makeProgram(plain)).id;
      await makeParticipant(plain, program, { email: 'b@example.com' });
      const emails = await plain.store.db.selectFrom('emails').selectAll().execute();
      expect(emails).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});

describe('email choices in the portal', () => {
  it('are shown, saved with the CSRF token, and obeyed by the next email', async () => {
    const address = `${unique('pref')}@example.com`;
    const ref = await makeParticipant(t, programId, { email: address });
    const { portalCookie, csrfIn } = await import('../../support/portal.ts');
    const cookie = await portalCookie(t, ref.id);
    const page = await portalGet(t, cookie, '/p/');
    expect(page.body).toContain('<h2 id="emails-heading">Emails</h2>');
    expect(page.body.match(/type="checkbox" name="\w+" value="1" checked/g)).toHaveLength(3);
    const post = (payload: string) =>
      t.app.inject({
        method: 'POST',
        url: '/p/emails',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload,
      });
    // Another site's form cannot send the token: nothing changes.
    expect((await post('csrf=forged&rewards=1')).headers.location).toBe('/p/');
    const saved = await post(new URLSearchParams({ csrf: csrfIn(page.body), rewards: '1' }).toString());
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/p/?emails=saved#emails-heading');
    const after = await portalGet(t, cookie, '/p/?emails=saved');
    expect(after.body).toContain('Your email choices are saved.');
    expect(after.body).toContain('name="rewards" value="1" checked');
    expect(after.body).not.toContain('name="referrals" value="1" checked');
    const optOuts = await t.store.db
      .selectFrom('email_opt_outs')
      .select('category')
      .where('participant_id', '=', ref.id)
      .orderBy('category')
      .execute();
    expect(optOuts.map((o) => o.category)).toEqual(['program', 'referrals']);
  });

  it('a page that needs a session offers sign-in by email', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/p/' });
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('href="/p/sign-in?locale=en"');
  });
});
