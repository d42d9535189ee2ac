import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { makeParticipant, makeProgram } from '../../support/factories.ts';
import { countRows } from '../../support/tables.ts';

// The friend's side of a referral: /s/{code} says who invited them and what they get, in their
// language, without a script, and sends them on through /r/{code}.

let t: TestApp;
let programId: string;
let code: string;

const page = async (path: string, headers: Record<string, string> = {}) => {
  const res = await t.app.inject({ method: 'GET', url: path, headers });
  return { status: res.statusCode, headers: res.headers, body: res.body };
};

beforeAll(async () => {
  t = await createTestApp();
  programId = (
    await makeProgram(t, {
      name: 'Northwind Coffee',
      rewards: {
        referrer: { amount: 1000, currency: 'USD' },
        referee: { amount: 1500, currency: 'USD', kind: 'coupon', code_pattern: 'FRIEND-{8}' },
      },
      attribution_window_days: 30,
    })
  ).id;
  code = (await makeParticipant(t, programId, { name: 'Ada Lovelace' })).referral_code;
});
afterAll(() => t.close());

describe('GET /s/:code', () => {
  it('says who invited the friend, by first name, and what each side gets', async () => {
    const res = await page(`/s/${code}`);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<h1>Ada invited you to Northwind Coffee</h1>');
    expect(res.body).toContain('Make your first purchase through this invitation and you get a $15 coupon.');
    expect(res.body).toContain('Ada gets $10 as a thank-you.');
    expect(res.body).toContain('This device keeps the invitation for 30 days.');
    expect(res.body).not.toContain('Lovelace');
  });

  it('continues through the referral link, carrying the campaign parameters, and records no click itself', async () => {
    const before = await countRows(t.store.db);
    const res = await page(`/s/${code}?utm_source=newsletter&utm_campaign=spring&other=dropped`);
    expect(res.body).toContain(`href="/r/${code}?utm_source=newsletter&amp;utm_campaign=spring"`);
    expect((await countRows(t.store.db)).clicks).toBe(before.clicks);
  });

  it('allows no script, and no frame, by its Content-Security-Policy', async () => {
    const res = await page(`/s/${code}`);
    const policy = String(res.headers['content-security-policy']);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('script-src');
    expect(res.body).not.toContain('<script');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it("escapes whatever a referrer's name and a program's name hold", async () => {
    const program = await makeProgram(t, { name: 'Shop "<b>best</b>" & co' });
    const named = await makeParticipant(t, program.id, { name: '<img/src=x/onerror=alert(1)> Smith' });
    const res = await page(`/s/${named.referral_code}`);

    expect(res.status).toBe(200);
    expect(res.body).toContain(
      '&lt;img/src=x/onerror=alert(1)&gt; invited you to Shop &quot;&lt;b&gt;best&lt;/b&gt;&quot; &amp; co',
    );
    expect(res.body).not.toContain('<img');
    expect(res.body).not.toContain('<b>');
  });

  it('invites without a name when the business sent none, and says only the program when the friend gets nothing', async () => {
    const program = await makeProgram(t, {
      name: 'Referrers only',
      rewards: { referrer: { amount: 1000, currency: 'USD' }, referee: null },
    });
    const anonymous = await makeParticipant(t, program.id);
    const res = await page(`/s/${anonymous.referral_code}`);

    expect(res.body).toContain('<h1>You are invited to Referrers only</h1>');
    expect(res.body).toContain('Accept this invitation to join Referrers only.');
    expect(res.body).not.toContain('thank-you');
  });

  describe('in the friend’s language', () => {
    it.each([
      ['?locale=de', {}, 'de', 'Ada hat dich zu Northwind Coffee eingeladen'],
      [
        '',
        { 'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5' },
        'fr',
        'Ada vous invite à rejoindre Northwind Coffee',
      ],
      ['', { 'accept-language': 'pt' }, 'pt-BR', 'Ada convidou você para Northwind Coffee'],
      ['?locale=es-MX', { 'accept-language': 'de' }, 'es', 'Ada te ha invitado a Northwind Coffee'],
      ['?locale=ja', {}, 'en', 'Ada invited you to Northwind Coffee'],
    ])('%s %j speaks %s', async (query, headers, locale, title) => {
      const res = await page(`/s/${code}${query}`, headers);
      expect(res.status).toBe(200);
      expect(res.headers['content-language']).toBe(locale);
      expect(res.body).toContain(`<html lang="${locale}" dir="ltr">`);
      expect(res.body).toContain(`<h1>${title}</h1>`);
    });

    it('lays Arabic out right to left, with its own numbers of days', async () => {
      const res = await page(`/s/${code}?locale=ar`);
      expect(res.body).toContain('<html lang="ar" dir="rtl">');
      expect(res.body).toContain('دعاك Ada إلى Northwind Coffee');
      expect(res.body).toContain('لمدة 30 يوم');
    });

    it('links the same page in every shipped language, the current one marked', async () => {
      const res = await page(`/s/${code}?locale=fr&utm_source=mail`);
      for (const locale of ['en', 'de', 'fr', 'es', 'pt-BR', 'ar']) {
        expect(res.body).toContain(`href="?utm_source=mail&amp;locale=${locale}" lang="${locale}"`);
      }
      expect(res.body).toContain('lang="fr" hreflang="fr" aria-current="page">français</a>');
    });

    it('refuses a locale that is not a language tag, with 400 naming it', async () => {
      const res = await t.api('GET', `/s/${code}?locale=${encodeURIComponent('not a tag')}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_locale', param: 'locale' });
    });
  });

  describe('a code that cannot be followed', () => {
    it.each([
      ['an unknown code', async () => 'NOSUCHCODE'],
      ['a code of impossible characters', async () => '%3Cscript%3E'],
      [
        'a disabled referrer',
        async () => {
          const p = await makeParticipant(t, programId);
          await t.api('PATCH', `/v1/participants/${p.id}`, { status: 'disabled' });
          return p.referral_code;
        },
      ],
      [
        'a paused program',
        async () => {
          const program = await makeProgram(t);
          const p = await makeParticipant(t, program.id);
          await t.api('PATCH', `/v1/programs/${program.id}`, { status: 'paused' });
          return p.referral_code;
        },
      ],
    ])('%s gets 404 and a page saying so, in the friend’s language', async (_case, codeOf) => {
      const res = await page(`/s/${await codeOf()}`, { 'accept-language': 'de' });
      expect(res.status).toBe(404);
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.body).toContain('<h1>Diese Einladung ist nicht aktiv</h1>');
      expect(res.body).not.toContain('/r/');
    });
  });
});
