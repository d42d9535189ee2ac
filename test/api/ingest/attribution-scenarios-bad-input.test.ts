// What a sign-up that names a referral wrongly gets: an error that names the field and writes
// nothing, or, where a fallback is documented, the fallback; and touches of another program than
// the one the event names are passed over, not refused.
import { describe, expect, it } from 'vitest';
import {
  clickOf,
  clickOnNewDevice,
  expectRefused,
  invite,
  programWithReferrers,
  type Referrer,
  referralOf,
  signUp,
  t,
  tag,
  trailEntry,
  useAttributionApp,
} from '../../support/attribution-fixtures.ts';

useAttributionApp();

const UNKNOWN_CLICK = 'clk_01J0000000000000000000NONE';

describe('a referral that names nothing', () => {
  it('refuses an unknown click id given alone, and writes nothing', async () => {
    const { program } = await programWithReferrers(1);

    await expectRefused(
      () => signUp({ program_id: program.id, referral: { click_id: UNKNOWN_CLICK } }),
      404,
      'resource_missing',
      'referral.click_id',
    );
  });

  it('falls back to the code when the click id is unknown but a code comes with it', async () => {
    const { program, referrers } = await programWithReferrers(1);
    const [referrer] = referrers as [Referrer];

    const signup = await signUp({
      program_id: program.id,
      referral: { click_id: UNKNOWN_CLICK, code: referrer.referral_code },
    });

    expect(signup.status).toBe(201);
    const referral = await referralOf(signup);
    expect(referral).toMatchObject({ referrer_id: referrer.id, attribution_method: 'code', click_id: null });
    expect(referral.attribution.chosen).toEqual(trailEntry('code', referrer));
  });

  it('refuses an unknown code, and writes nothing', async () => {
    const { program } = await programWithReferrers(1);

    await expectRefused(
      () => signUp({ program_id: program.id, referral: { code: 'NOSUCH99' } }),
      404,
      'resource_missing',
      'referral.code',
    );
  });
});

describe('a referral of another program', () => {
  it.each([
    ['code', 'referral.code'],
    ['click_id', 'referral.click_id'],
  ] as const)(
    "refuses a %s of another program than the event's with program_mismatch",
    async (field, param) => {
      const { referrers } = await programWithReferrers(1);
      const { program: other } = await programWithReferrers(0);
      const referrer = referrers[0] as Referrer;
      const value = field === 'code' ? referrer.referral_code : (await clickOf(referrer)).clickId;

      await expectRefused(
        () => signUp({ program_id: other.id, referral: { [field]: value } }),
        422,
        'program_mismatch',
        param,
      );
    },
  );

  it.each([
    ['an invite', 'invite'],
    ['a device match', 'device'],
  ] as const)('passes over %s of another program, with reason other_program', async (_name, source) => {
    const { referrers: elsewhere } = await programWithReferrers(1);
    const { program, referrers } = await programWithReferrers(1);
    const [outsider, referrer] = [elsewhere[0], referrers[0]] as [Referrer, Referrer];
    const email = `friend${tag()}@gmail.com`;
    const fields =
      source === 'invite'
        ? { touch: await invite(outsider, email), signup: { email } }
        : await clickOnNewDevice(outsider).then((c) => ({
            touch: { id: c.clickId, created_at: c.clickedAt },
            signup: { context: { device_id: c.device } },
          }));

    const signup = await signUp({
      program_id: program.id,
      referral: { code: referrer.referral_code },
      ...fields.signup,
    });

    expect(signup.status).toBe(201);
    const referral = await referralOf(signup);
    expect(referral).toMatchObject({ program_id: program.id, referrer_id: referrer.id });
    const lost = { touch_id: fields.touch.id, touched_at: fields.touch.created_at, reason: 'other_program' };
    expect(referral.attribution.considered).toEqual([
      trailEntry('code', referrer),
      trailEntry(source, outsider, lost),
    ]);
  });

  it("credits nobody when the only touch is another program's invite", async () => {
    const { referrers: elsewhere } = await programWithReferrers(1);
    const { program } = await programWithReferrers(0);
    const email = `friend${tag()}@gmail.com`;
    await invite(elsewhere[0] as Referrer, email);

    const signup = await signUp({ program_id: program.id, email });

    expect(signup.status).toBe(201);
    expect(signup.body.result).toMatchObject({ outcome: 'no_referral', reason: 'other_program' });
    const referrals = await t.api('GET', `/v1/referrals?program_id=${program.id}`);
    expect(referrals.body.data).toEqual([]);
  });
});

describe('malformed sign-ups', () => {
  const aYearAhead = () => new Date(Date.now() + 365 * 86_400_000).toISOString();

  it.each([
    ['an email that cannot be an address', { email: 'not-an-email@@x' }, 'invalid_format', 'customer.email'],
    ['a Gmail address with no mailbox', { email: '+shop@gmail.com' }, 'invalid_email', 'customer.email'],
    ['a phone number that cannot be dialled', { phone: '+1 555' }, 'invalid_phone', 'customer.phone'],
    ['a phone number in letters', { phone: 'call me maybe' }, 'invalid_phone', 'customer.phone'],
    ['an occurred_at a year ahead', { occurred_at: aYearAhead() }, 'occurred_at_in_future', 'occurred_at'],
  ] as const)('refuses %s with 400 %s, and writes nothing', async (_name, fields, code, param) => {
    const { program, referrers } = await programWithReferrers(1);
    const referral = { code: (referrers[0] as Referrer).referral_code };

    await expectRefused(() => signUp({ program_id: program.id, referral, ...fields }), 400, code, param);
  });
});
