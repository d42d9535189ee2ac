// The fraud rules that count: sign-ups from one network, a referrer's referrals nobody follows up
// on, a referrer far busier than the program's norm. Each fires once its threshold is reached and
// stays silent below it, outside its window, or when the program turns it off.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  expectScreened,
  expectSignupResult,
  fraudProgram,
  hoursAfter,
  onlyRules,
  purchase,
  type Referrer,
  referredBy,
  signal,
  startClock,
} from '../../support/fraud-fixtures.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';

useLedgerCheckedApp();
beforeEach(() => {
  startClock();
});

/** Sign-ups referred by `referrer`, one per IP address given; the referral ids. */
async function signupsFrom(referrer: Referrer, ips: string[]) {
  const ids: string[] = [];
  for (const ip of ips) ids.push((await referredBy(referrer, { context: { ip } })).referralId);
  return ids;
}

describe('bulk_ip', () => {
  const IP = '192.0.2.44';

  it('holds for review the fourth referral from one IP address in a day, and reaches back to the first three', async () => {
    const { referrers } = await fraudProgram(undefined, 4);
    const earlier: string[] = [];
    for (const referrer of referrers.slice(0, 3)) earlier.push(...(await signupsFrom(referrer, [IP])));
    for (const id of earlier) await expectScreened(id, 'allow', []);

    const { res, referralId } = await referredBy(referrers[3] as Referrer, { context: { ip: IP } });

    expectSignupResult(res, 'review');
    const reason = '4 referrals from this IP address in 24 h (limit 3).';
    await expectScreened(referralId, 'review', [signal('bulk_ip', 50, reason)]);
    // The farm was a farm from its first member: each earlier one is held too, told why.
    const late = `Part of a cluster found at referral ${referralId}: sign-ups from one IP address, more than 3 in 24 h.`;
    for (const id of earlier) await expectScreened(id, 'review', [signal('bulk_ip', 50, late)]);
  });

  it('does not count referrals from another IP address', async () => {
    const { referrer } = await fraudProgram();
    await signupsFrom(referrer, [IP, IP, IP]);

    const { referralId } = await referredBy(referrer, { context: { ip: '192.0.2.45' } });

    // A neighbour in the same /24, which bulk_subnet only counts from ten up.
    await expectScreened(referralId, 'allow', []);
  });

  it('does not count referrals older than its window', async () => {
    const { referrer } = await fraudProgram();
    await signupsFrom(referrer, [IP, IP, IP]);
    t.setNow(hoursAfter(24.5));

    const { referralId } = await referredBy(referrer, { context: { ip: IP } });

    await expectScreened(referralId, 'allow', []);
  });

  it("uses the program's limit and names it", async () => {
    const { referrer } = await fraudProgram({ rules: { bulk_ip: { max_signups: 1, window_hours: 2 } } });
    const [first] = await signupsFrom(referrer, [IP]);

    const { referralId } = await referredBy(referrer, { context: { ip: IP } });

    const reason = '2 referrals from this IP address in 2 h (limit 1).';
    await expectScreened(referralId, 'review', [signal('bulk_ip', 50, reason)]);
    const late = `Part of a cluster found at referral ${referralId}: sign-ups from one IP address, more than 1 in 2 h.`;
    await expectScreened(first as string, 'review', [signal('bulk_ip', 50, late)]);
  });
});

describe('bulk_subnet', () => {
  const settings = onlyRules({ bulk_subnet: { max_signups: 2 } });

  it.each([
    ['an IPv4 /24', ['203.0.113.10', '203.0.113.77'], '203.0.113.200'],
    ['an IPv6 /48', ['2001:db8:5:a::1', '2001:db8:5:b::2'], '2001:db8:5:ffff::3'],
    ['IPv4 written as IPv4-mapped IPv6', ['203.0.113.10', '::ffff:203.0.113.11'], '203.0.113.12'],
  ])('scores the referral past the limit from %s, below the review threshold', async (_net, earlier, ip) => {
    const { referrer } = await fraudProgram(settings);
    for (const id of await signupsFrom(referrer, earlier)) await expectScreened(id, 'allow', []);

    const { res, referralId } = await referredBy(referrer, { context: { ip } });

    expectSignupResult(res, 'allow');
    const reason = '3 referrals from this subnet in 24 h (limit 2).';
    await expectScreened(referralId, 'allow', [signal('bulk_subnet', 30, reason)]);
  });

  it('does not count referrals from the neighbouring subnet', async () => {
    const { referrer } = await fraudProgram(settings);
    await signupsFrom(referrer, ['203.0.113.10', '203.0.113.11']);

    const { referralId } = await referredBy(referrer, { context: { ip: '203.0.114.12' } });

    await expectScreened(referralId, 'allow', []);
  });

  it('stays silent below its default limit of ten', async () => {
    const { referrer } = await fraudProgram(onlyRules({ bulk_subnet: {} }));
    await signupsFrom(
      referrer,
      Array.from({ length: 9 }, (_, i) => `198.18.7.${i + 1}`),
    );

    const { referralId } = await referredBy(referrer, { context: { ip: '198.18.7.100' } });

    await expectScreened(referralId, 'allow', []);
  });
});

describe('burst_inactive', () => {
  const settings = onlyRules({ burst_inactive: {} });
  const REASON = 'The referrer made 5 referrals in 1 h that have no purchase yet (threshold 5).';

  it("scores the referrer's sixth referral within an hour while none of the five bought, and the five with it", async () => {
    const { referrer } = await fraudProgram(settings);
    const five: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.setNow(hoursAfter(i / 10));
      five.push((await referredBy(referrer)).referralId);
      await expectScreened(five[i] as string, 'allow', []);
    }

    const { referralId } = await referredBy(referrer);

    await expectScreened(referralId, 'allow', [signal('burst_inactive', 40, REASON)]);
    const late = `Part of a cluster found at referral ${referralId}: this referrer's referrals with no purchase, more than 5 in 1 h.`;
    for (const id of five) await expectScreened(id, 'allow', [signal('burst_inactive', 40, late)]);
  });

  it('does not count referrals whose referee bought', async () => {
    const { referrer } = await fraudProgram(settings);
    const friends = [];
    for (let i = 0; i < 5; i++) friends.push(await referredBy(referrer));
    expect((await purchase(friends[0]?.customer as string)).body.result.outcome).toBe('referral_qualified');

    const { referralId } = await referredBy(referrer);

    await expectScreened(referralId, 'allow', []);
  });

  it('does not count referrals older than its window', async () => {
    const { referrer } = await fraudProgram(settings);
    for (let i = 0; i < 5; i++) await referredBy(referrer);
    t.setNow(hoursAfter(1.01));

    const { referralId } = await referredBy(referrer);

    await expectScreened(referralId, 'allow', []);
  });

  it('holds for review when the program raises its score', async () => {
    const { referrer } = await fraudProgram(onlyRules({ burst_inactive: { score: 55, max_inactive: 2 } }));
    await referredBy(referrer);
    await referredBy(referrer);

    const { referralId } = await referredBy(referrer);

    const reason = 'The referrer made 2 referrals in 1 h that have no purchase yet (threshold 2).';
    await expectScreened(referralId, 'review', [signal('burst_inactive', 55, reason)]);
  });
});

describe('velocity', () => {
  const settings = onlyRules({ velocity: { min_referrals: 3 } });
  /** Referrers other than `busy` with `each` referrals apiece: the program's norm. */
  async function norm(referrers: Referrer[], each: number) {
    for (const referrer of referrers) for (let i = 0; i < each; i++) await referredBy(referrer);
  }

  it('holds for review a referrer at five times the norm of the others, past the minimum', async () => {
    const { referrers } = await fraudProgram(settings, 6);
    const [busy, ...others] = referrers as [Referrer, ...Referrer[]];
    await norm(others, 1);
    for (let i = 0; i < 5; i++) await expectScreened((await referredBy(busy)).referralId, 'allow', []);

    const { res, referralId } = await referredBy(busy);

    expectSignupResult(res, 'review');
    const reason =
      '5 referrals from this referrer in 24 h, against a program norm of 1 per referrer (factor 5, minimum 3).';
    await expectScreened(referralId, 'review', [signal('velocity', 50, reason)]);
  });

  it('lets a referrer as busy as the others through', async () => {
    const { referrers } = await fraudProgram(settings, 6);
    const [busy, ...others] = referrers as [Referrer, ...Referrer[]];
    await norm(others, 2);
    for (let i = 0; i < 5; i++) await referredBy(busy);

    const { referralId } = await referredBy(busy);

    await expectScreened(referralId, 'allow', []);
  });

  it('judges a lone referrer against the minimum alone', async () => {
    const { referrer } = await fraudProgram(onlyRules({ velocity: { min_referrals: 3, factor: 2 } }));
    for (let i = 0; i < 3; i++) await referredBy(referrer);

    const { referralId } = await referredBy(referrer);

    const reason =
      '3 referrals from this referrer in 24 h, against a program norm of 1 per referrer (factor 2, minimum 3).';
    await expectScreened(referralId, 'review', [signal('velocity', 50, reason)]);
  });

  it('does not count referrals older than its window', async () => {
    const { referrers } = await fraudProgram(settings, 6);
    const [busy, ...others] = referrers as [Referrer, ...Referrer[]];
    await norm(others, 1);
    for (let i = 0; i < 5; i++) await referredBy(busy);
    t.setNow(hoursAfter(25));

    const { referralId } = await referredBy(busy);

    await expectScreened(referralId, 'allow', []);
  });
});
