// Attribution across browsers and devices, through the real HTTP API: a visitor without
// JavaScript or cookies, a visitor who clicks on a phone and signs up on a laptop, and the device
// match that credits a browser's earlier click when the sign-up carries nothing else.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  clickOnNewDevice,
  deviceCookie,
  programWithReferrers,
  type Referrer,
  referralOf,
  signUp,
  t,
  tag,
  trailEntry,
  useAttributionApp,
} from '../../support/attribution-fixtures.ts';
import { recordedClick } from '../../support/factories.ts';

useAttributionApp();

// A real listening server: the links below are followed over HTTP, as a browser does.
let base: string;
beforeAll(async () => {
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});

const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

type Landing = { vouchRef: string; vouchClick: string };

describe('attribution without JavaScript, cookies blocked', () => {
  /** Follows the link over real HTTP as a browser that keeps no cookies: only the landing URL is left. */
  async function landOn(referrer: Referrer): Promise<Landing> {
    const res = await fetch(`${base}/r/${referrer.referral_code}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const landing = new URL(res.headers.get('location') ?? '');
    return {
      vouchRef: landing.searchParams.get('vouch_ref') as string,
      vouchClick: landing.searchParams.get('vouch_click') as string,
    };
  }

  it.each([
    ['the code from vouch_ref', 'code', (l: Landing) => ({ code: l.vouchRef })],
    ['the click id from vouch_click', 'click', (l: Landing) => ({ click_id: l.vouchClick })],
  ] as const)('credits the referrer when the sign-up carries only %s', async (_name, method, hint) => {
    const { program, referrers } = await programWithReferrers(1);
    const [referrer] = referrers as [Referrer];
    const landing = await landOn(referrer);
    expect(landing.vouchRef).toBe(referrer.referral_code);
    expect(landing.vouchClick).toMatch(/^clk_[0-9A-Z]{26}$/);

    const signup = await signUp({ program_id: program.id, referral: hint(landing) });

    expect(signup.status).toBe(201);
    expect(signup.body.result.outcome).toBe('referral_created');
    const referral = await referralOf(signup);
    expect(referral).toMatchObject({ referrer_id: referrer.id, attribution_method: method });
    const touch =
      method === 'click'
        ? {
            touch_id: landing.vouchClick,
            touched_at: (await recordedClick(t, landing.vouchClick)).occurred_at,
          }
        : {};
    expect(referral.attribution).toMatchObject({
      rule: 'only_touch',
      chosen: trailEntry(method, referrer, touch),
    });
    expect(referral.click_id).toBe(method === 'click' ? landing.vouchClick : null);
  });

  it('credits a code the visitor typed by hand, in lowercase with spaces around it', async () => {
    const { program, referrers } = await programWithReferrers(1);
    const [referrer] = referrers as [Referrer];

    const signup = await signUp({
      program_id: program.id,
      referral: { code: `  ${referrer.referral_code.toLowerCase()} ` },
    });

    const referral = await referralOf(signup);
    expect(referral).toMatchObject({ referrer_id: referrer.id, code: referrer.referral_code });
    expect(referral.attribution.chosen).toEqual(trailEntry('code', referrer));
  });
});

describe('attribution across devices', () => {
  it('credits a click on a phone to a sign-up on a laptop, through the email left on the landing page', async () => {
    const { program, referrers } = await programWithReferrers(1);
    const [referrer] = referrers as [Referrer];
    const person = tag();

    // On the phone: the link, then the landing page's "get your invite" form.
    const onPhone = await fetch(`${base}/r/${referrer.referral_code}`, {
      redirect: 'manual',
      headers: { 'user-agent': PHONE_UA },
    });
    const phoneDevice = deviceCookie(onPhone.headers.getSetCookie());
    expect(phoneDevice).toMatch(/^dev_[0-9A-Z]{26}$/);
    const clickId = new URL(onPhone.headers.get('location') ?? '').searchParams.get('vouch_click') as string;
    expect((await recordedClick(t, clickId)).user_agent).toBe(PHONE_UA);
    const lead = await t.api('POST', '/v1/invites', {
      email: `janedoe${person}@gmail.com`,
      click_id: clickId,
    });
    expect(lead.status).toBe(201);
    expect(lead.body).toMatchObject({ referrer_id: referrer.id, program_id: program.id, click_id: clickId });

    // On the laptop, days later: another device, no link, the address typed another way.
    const signup = await signUp({
      email: `Jane.Doe${person}+shop@GMAIL.com`,
      context: { device_id: 'dev_01LAPTOP0000000000000000000', user_agent: 'Mozilla/5.0 (Macintosh)' },
    });

    expect(signup.status).toBe(201);
    expect(signup.body.result.outcome).toBe('referral_created');
    const referral = await referralOf(signup);
    expect(referral).toMatchObject({
      program_id: program.id,
      referrer_id: referrer.id,
      attribution_method: 'invite',
    });
    const chosen = trailEntry('invite', referrer, {
      touch_id: lead.body.id,
      touched_at: lead.body.created_at,
    });
    expect(referral.attribution).toEqual({
      model: 'last_touch',
      rule: 'only_touch',
      chosen,
      considered: [chosen],
    });
  });
  // The invites route writes this process's click batch first, as the events route does.
  it('accepts the email left on the landing page right after the redirect', async () => {
    const { referrers } = await programWithReferrers(1);
    const onPhone = await fetch(`${base}/r/${(referrers[0] as Referrer).referral_code}`, {
      redirect: 'manual',
    });
    const clickId = new URL(onPhone.headers.get('location') ?? '').searchParams.get('vouch_click');

    const lead = await t.api('POST', '/v1/invites', { email: `lead${tag()}@gmail.com`, click_id: clickId });

    expect(lead.status).toBe(201);
  });
});

describe('device match', () => {
  it("credits the click made from the sign-up's device when the sign-up carries nothing else", async () => {
    const { program, referrers } = await programWithReferrers(1);
    const [referrer] = referrers as [Referrer];
    const { clickId, device, clickedAt } = await clickOnNewDevice(referrer);

    const signup = await signUp({ program_id: program.id, context: { device_id: device } });

    expect(signup.body.result.outcome).toBe('referral_created');
    const referral = await referralOf(signup);
    expect(referral).toMatchObject({ referrer_id: referrer.id, attribution_method: 'device' });
    expect(referral.attribution).toMatchObject({
      rule: 'only_touch',
      chosen: trailEntry('device', referrer, { touch_id: clickId, touched_at: clickedAt }),
    });
  });

  it('gives nothing to a device that never clicked', async () => {
    const { program, referrers } = await programWithReferrers(1);
    await clickOnNewDevice(referrers[0] as Referrer);

    const signup = await signUp({
      program_id: program.id,
      context: { device_id: 'dev_01NEVERCLICKED00000000000' },
    });

    expect(signup.status).toBe(201);
    expect(signup.body.result).toMatchObject({ outcome: 'no_referral', reason: null, referral_ids: [] });
  });

  it('lets a code typed at sign-up outrank the device match', async () => {
    const { program, referrers } = await programWithReferrers(2);
    const [clicked, typed] = referrers as [Referrer, Referrer];
    const { clickId, device, clickedAt } = await clickOnNewDevice(clicked);

    const signup = await signUp({
      program_id: program.id,
      referral: { code: typed.referral_code },
      context: { device_id: device },
    });

    const referral = await referralOf(signup);
    expect(referral).toMatchObject({ referrer_id: typed.id, attribution_method: 'code' });
    expect(referral.attribution).toEqual({
      model: 'last_touch',
      rule: 'source_precedence',
      chosen: trailEntry('code', typed),
      considered: [
        trailEntry('code', typed),
        trailEntry('device', clicked, {
          touch_id: clickId,
          touched_at: clickedAt,
          reason: 'lower_precedence',
        }),
      ],
    });
  });
});
