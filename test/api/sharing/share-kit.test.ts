import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { makeParticipant, makeProgram } from '../../support/factories.ts';

// The share kit: what a business puts in its own post-purchase email or success screen to get a
// referrer sharing, in the referrer's language.

let t: TestApp;
let participant: { id: string; referral_code: string };

beforeAll(async () => {
  t = await createTestApp();
  const program = await makeProgram(t, {
    name: 'Northwind <Coffee>',
    rewards: { referrer: { amount: 1000, currency: 'EUR' }, referee: { amount: 1500, currency: 'EUR' } },
  });
  participant = await makeParticipant(t, program.id, { name: 'Ada Lovelace' });
});
afterAll(() => t.close());

describe('GET /v1/participants/:id/share_kit', () => {
  it('gives the link, the share page, the message and a share URL per channel', async () => {
    const res = await t.api('GET', `/v1/participants/${participant.id}/share_kit`);
    expect(res.status).toBe(200);
    const link = `https://vouch.example.com/r/${participant.referral_code}`;
    expect(res.body).toMatchObject({
      object: 'share_kit',
      participant_id: participant.id,
      locale: 'en',
      code: participant.referral_code,
      link,
      share_page_url: `https://vouch.example.com/s/${participant.referral_code}`,
      message: 'I use Northwind <Coffee> and think you would like it. Join through my link and you get €15:',
    });
    expect(Object.keys(res.body.channels)).toEqual([
      'email',
      'sms',
      'whatsapp',
      'x',
      'facebook',
      'linkedin',
      'telegram',
    ]);
    expect(res.body.channels.whatsapp).toBe(
      `https://wa.me/?text=${encodeURIComponent(`${res.body.message} ${link}`)}`,
    );
    expect(res.body.qr_svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('gives ready blocks in HTML and plain text', async () => {
    const res = await t.api('GET', `/v1/participants/${participant.id}/share_kit`);
    expect(res.body.blocks.text).toBe(
      `Your friends get €15, and you get €10 for each friend whose referral qualifies.\nhttps://vouch.example.com/r/${participant.referral_code}\nYour code: ${participant.referral_code}`,
    );
    expect(res.body.blocks.html).toContain('<p>Your friends get €15, and you get €10 for each friend');
    expect(res.body.blocks.html).toContain(
      `<a href="https://vouch.example.com/r/${participant.referral_code}">`,
    );
  });

  it('speaks the locale asked for, falling back within the language', async () => {
    const res = await t.api('GET', `/v1/participants/${participant.id}/share_kit?locale=de-CH`);
    expect(res.body.locale).toBe('de');
    expect(res.body.blocks.text).toMatch(/^Deine Freunde/);
  });

  it.each([
    ['an unknown participant', '/v1/participants/par_missing/share_kit', 404, 'resource_missing'],
    ['a locale that is not BCP 47', 'LOCALE', 400, 'invalid_locale'],
  ])('refuses %s', async (_case, path, status, code) => {
    const url = path === 'LOCALE' ? `/v1/participants/${participant.id}/share_kit?locale=%20bad%20` : path;
    const res = await t.api('GET', url);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it('has no kit for a disabled participant (422)', async () => {
    const program = await makeProgram(t);
    const disabled = await makeParticipant(t, program.id);
    await t.api('PATCH', `/v1/participants/${disabled.id}`, { status: 'disabled' });
    const res = await t.api('GET', `/v1/participants/${disabled.id}/share_kit`);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('participant_disabled');
  });
});
