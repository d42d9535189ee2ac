// The fraud rules that compare who the referee is with who the referrer is: their device, their
// network, their email, their place in a chain of referrals (their card: fraud-rules-payment).
// Each rule fires in one scenario and stays silent in its near miss; everything goes through
// POST /v1/events and is read back from GET /v1/referrals/{id} and GET /v1/reviews.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  expectScreened,
  expectSignupResult,
  fraudProgram,
  hoursAfter,
  type Referrer,
  referral,
  referredBy,
  referrerSeenWith,
  signal,
  startClock,
} from '../../support/fraud-fixtures.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';

useLedgerCheckedApp();
beforeEach(() => {
  startClock();
});

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0';

const RANDOM_EMAIL = "The referee's email address looks machine-generated.";

describe('self_referral_device', () => {
  const REASON = 'The referee signed up from a device the referrer has used.';

  it("blocks a sign-up from a device the referrer's own sign-up came from", async () => {
    const { referrer } = await fraudProgram();
    await referrerSeenWith(referrer, { device_id: 'dev_laptop_of_referrer' });

    const { res, referralId } = await referredBy(referrer, {
      context: { device_id: 'dev_laptop_of_referrer' },
    });

    expectSignupResult(res, 'block');
    await expectScreened(referralId, 'block', [signal('self_referral_device', 100, REASON)]);
  });

  it('lets a sign-up from another device through', async () => {
    const { referrer } = await fraudProgram();
    await referrerSeenWith(referrer, { device_id: 'dev_laptop_of_referrer' });

    const { res, referralId } = await referredBy(referrer, { context: { device_id: 'dev_phone_of_friend' } });

    expectSignupResult(res, 'allow');
    await expectScreened(referralId, 'allow', []);
  });

  it('stays silent when the program turned it off', async () => {
    const { referrer } = await fraudProgram({ rules: { self_referral_device: { enabled: false } } });
    await referrerSeenWith(referrer, { device_id: 'dev_shared_tablet' });

    const { referralId } = await referredBy(referrer, { context: { device_id: 'dev_shared_tablet' } });

    await expectScreened(referralId, 'allow', []);
  });
});

describe('self_referral_ip', () => {
  const REASON = 'The referrer was seen on this IP address and browser within 24 h of the sign-up.';
  const home = { ip: '198.51.100.23', user_agent: CHROME };

  it('holds for review a sign-up on the IP address and browser the referrer used that day', async () => {
    const { referrer } = await fraudProgram();
    await referrerSeenWith(referrer, home);
    t.setNow(hoursAfter(23));

    const { res, referralId } = await referredBy(referrer, { context: home });

    expectSignupResult(res, 'review');
    await expectScreened(referralId, 'review', [signal('self_referral_ip', 60, REASON)]);
    expect((await referral(referralId)).status).toBe('pending');
  });

  it('lets through the same IP address with another browser', async () => {
    const { referrer } = await fraudProgram();
    await referrerSeenWith(referrer, home);

    const { referralId } = await referredBy(referrer, { context: { ...home, user_agent: FIREFOX } });

    await expectScreened(referralId, 'allow', []);
  });

  it('forgets the sighting once the window has passed', async () => {
    const { referrer } = await fraudProgram();
    await referrerSeenWith(referrer, home);
    t.setNow(hoursAfter(25));

    const { referralId } = await referredBy(referrer, { context: home });

    await expectScreened(referralId, 'allow', []);
  });

  it('uses the window the program set, and names it', async () => {
    const { referrer } = await fraudProgram({ rules: { self_referral_ip: { window_hours: 72 } } });
    await referrerSeenWith(referrer, home);
    t.setNow(hoursAfter(48));

    const { referralId } = await referredBy(referrer, { context: home });

    const reason = 'The referrer was seen on this IP address and browser within 72 h of the sign-up.';
    await expectScreened(referralId, 'review', [signal('self_referral_ip', 60, reason)]);
  });
});

describe('disposable_email', () => {
  it('holds for review a referee at a disposable-address provider, naming the domain', async () => {
    const { referrer } = await fraudProgram();

    const { res, referralId } = await referredBy(referrer, { email: 'jane.doe@mailinator.com' });

    expectSignupResult(res, 'review');
    const reason = 'The email domain mailinator.com is a disposable-address provider.';
    await expectScreened(referralId, 'review', [signal('disposable_email', 50, reason)]);
  });

  it('lets an ordinary mailbox through', async () => {
    const { referrer } = await fraudProgram();

    const { referralId } = await referredBy(referrer, { email: 'jane.doe@example.com' });

    await expectScreened(referralId, 'allow', []);
  });

  it('stays silent when the program turned it off', async () => {
    const { referrer } = await fraudProgram({ rules: { disposable_email: { enabled: false } } });

    const { referralId } = await referredBy(referrer, { email: 'jane.doe@mailinator.com' });

    await expectScreened(referralId, 'allow', []);
  });
});

describe('synthetic_identity', () => {
  const SEQUENCE =
    "The referee's email address continues a numbered sequence among the referrer's recent referees.";

  it('scores a machine-generated local part, below the review threshold', async () => {
    const { referrer } = await fraudProgram();

    const { res, referralId } = await referredBy(referrer, { email: 'xk7qz9wv2jf4@example.com' });

    expectSignupResult(res, 'allow');
    await expectScreened(referralId, 'allow', [signal('synthetic_identity', 30, RANDOM_EMAIL)]);
  });

  it("scores the third referee numbered in sequence with the referrer's recent ones, and the first two with it", async () => {
    const { referrer } = await fraudProgram();
    const first = await referredBy(referrer, { email: 'promo.user11@example.com' });
    const second = await referredBy(referrer, { email: 'promo.user12@example.com' });

    const third = await referredBy(referrer, { email: 'promo.user13@example.com' });

    await expectScreened(third.referralId, 'allow', [signal('synthetic_identity', 30, SEQUENCE)]);
    // The series reaches back: the first two are part of it, scored alike, below review.
    const late = `Part of a cluster found at referral ${third.referralId}: a numbered series of email addresses among the referrer's referees.`;
    await expectScreened(first.referralId, 'allow', [signal('synthetic_identity', 30, late)]);
    await expectScreened(second.referralId, 'allow', [signal('synthetic_identity', 30, late)]);
  });

  it("does not count a sequence spread over other referrers' referees", async () => {
    const { referrers } = await fraudProgram(undefined, 3);
    for (const [i, referrer] of referrers.entries()) {
      const { referralId } = await referredBy(referrer, { email: `promo.user${21 + i}@example.com` });
      await expectScreened(referralId, 'allow', []);
    }
  });

  it('leaves a name-like address alone', async () => {
    const { referrer } = await fraudProgram();

    const { referralId } = await referredBy(referrer, { email: 'john.smith1985@example.com' });

    await expectScreened(referralId, 'allow', []);
  });
});

/** `from` refers a new customer, who becomes a referrer with a code of their own. */
async function chainLink(from: Referrer): Promise<Referrer> {
  const link = await referredBy(from);
  const id = (await referral(link.referralId)).referee_id as string;
  const code = (await t.api('GET', `/v1/participants/${id}`)).body.referral_code as string;
  return { id, external_id: link.customer, referral_code: code, program_id: from.program_id };
}

describe('referral_ring', () => {
  const ring = (length: number, depth = 5) =>
    `The referrer's chain of referrers leads back to the referee: a ring of length ${length} (checked to depth ${depth}).`;

  it('blocks A signing up with the code of B, whom A referred', async () => {
    const { referrer: a } = await fraudProgram();
    const b = await chainLink(a);

    const { res, referralId } = await referredBy(b, { customer: a.external_id });

    expectSignupResult(res, 'block');
    await expectScreened(referralId, 'block', [signal('referral_ring', 100, ring(2))]);
  });

  it('finds a longer ring up to max_depth, and not beyond', async () => {
    for (const [depth, fires] of [
      [5, true],
      [2, false],
    ] as const) {
      const { referrer: a } = await fraudProgram({ rules: { referral_ring: { max_depth: depth } } });
      const b = await chainLink(a);
      const c = await chainLink(b);

      const { referralId } = await referredBy(c, { customer: a.external_id });

      await expectScreened(
        referralId,
        fires ? 'block' : 'allow',
        fires ? [signal('referral_ring', 100, ring(3))] : [],
      );
    }
  });

  it('lets a newcomer use the code of someone who was referred', async () => {
    const { referrer: a } = await fraudProgram();
    const b = await chainLink(a);

    const { referralId } = await referredBy(b, {});

    await expectScreened(referralId, 'allow', []);
  });

  it('stays silent when the program turned it off', async () => {
    const { referrer: a } = await fraudProgram({ rules: { referral_ring: { enabled: false } } });
    const b = await chainLink(a);

    const { res, referralId } = await referredBy(b, { customer: a.external_id });

    expectSignupResult(res, 'allow');
    await expectScreened(referralId, 'allow', []);
  });
});
