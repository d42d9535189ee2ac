// The fraud windows in event time: sign-ups sent with occurred_at (a backfill of past weeks sent in
// seconds, or an event arriving late) are judged by when they happened, not when they arrived, and
// a window holds the sign-ups either side of the one it judges.
import { beforeEach, describe, it } from 'vitest';
import {
  daysAfter,
  expectScreened,
  fraudProgram,
  hoursAfter,
  onlyRules,
  type Referrer,
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

const IP = '192.0.2.80';

/** Sign-ups referred by `referrer` that happened at these times, all sent now; their referral ids. */
async function backfill(referrer: Referrer, times: Date[], friend: { ip?: string } = {}) {
  const ids: string[] = [];
  for (const occurredAt of times) {
    const context = friend.ip ? { context: { ip: friend.ip } } : {};
    ids.push((await referredBy(referrer, { ...context, occurredAt })).referralId);
  }
  return ids;
}

const spaced = (count: number, firstDay: number, hours: number) =>
  Array.from({ length: count }, (_, i) => hoursAfter(firstDay * 24 + i * hours));

describe('bulk_ip in event time', () => {
  it("lets an office's backfilled sign-ups through when they happened 36 hours apart", async () => {
    const { referrers } = await fraudProgram(onlyRules({ bulk_ip: {} }), 5);
    const times = spaced(5, -21, 36);
    const ids: string[] = [];
    for (const [i, referrer] of referrers.entries()) {
      ids.push(...(await backfill(referrer, [times[i] as Date], { ip: IP })));
    }

    for (const id of ids) await expectScreened(id, 'allow', []);
  });

  it('holds a late sign-up whose window already holds three from its IP address, all after it', async () => {
    const { referrer } = await fraudProgram(onlyRules({ bulk_ip: {} }));
    // Sent a day apart each, as a slow import would, but they happened within hours.
    for (const [i, hours] of [1, 2, 3].entries()) {
      t.setNow(hoursAfter(i * 25));
      await backfill(referrer, [hoursAfter(-100 + hours)], { ip: IP });
    }
    t.setNow(hoursAfter(75));

    const [late] = await backfill(referrer, [hoursAfter(-100)], { ip: IP });

    const reason = '4 referrals from this IP address in 24 h (limit 3).';
    await expectScreened(late as string, 'review', [signal('bulk_ip', 50, reason)]);
  });
});

describe('burst_inactive in event time', () => {
  it("does not see a burst in a referrer's backfilled referrals a day apart", async () => {
    const { referrer } = await fraudProgram(onlyRules({ burst_inactive: {} }));

    const ids = await backfill(referrer, spaced(6, -14, 24));

    for (const id of ids) await expectScreened(id, 'allow', []);
  });

  it('scores the sixth of referrals made within an hour, though they arrived hours apart', async () => {
    const { referrer } = await fraudProgram(onlyRules({ burst_inactive: {} }));
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      t.setNow(hoursAfter(i * 2));
      ids.push(...(await backfill(referrer, [hoursAfter(-50 + i / 10)])));
    }

    const reason = 'The referrer made 5 referrals in 1 h that have no purchase yet (threshold 5).';
    await expectScreened(ids[5] as string, 'allow', [signal('burst_inactive', 40, reason)]);
  });
});

describe('velocity in event time', () => {
  it("does not count a lone referrer's backfill of a fortnight as one day's referrals", async () => {
    const { referrer } = await fraudProgram(onlyRules({ velocity: {} }));

    const ids = await backfill(referrer, spaced(12, -14, 26));

    for (const id of ids) await expectScreened(id, 'allow', []);
  });
});

describe('self_referral_ip in event time', () => {
  const context = { ip: '198.51.100.9', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' };
  const reason = 'The referrer was seen on this IP address and browser within 24 h of the sign-up.';

  it("lets a referee through who signed up 19 days after the referrer's sighting, both backfilled", async () => {
    const { referrer } = await fraudProgram(onlyRules({ self_referral_ip: {} }));
    await referrerSeenWith(referrer, context, daysAfter(-20));

    const { referralId } = await referredBy(referrer, { context, occurredAt: daysAfter(-1) });

    await expectScreened(referralId, 'allow', []);
  });

  // Each sighting is kept with its time: the one near the sign-up counts, not only the first and last.
  it("flags a referee who signed up an hour after one of the referrer's backfilled sightings", async () => {
    const { referrer } = await fraudProgram(onlyRules({ self_referral_ip: {} }));
    for (const day of [-20, -10, -1]) await referrerSeenWith(referrer, context, daysAfter(day));
    t.setNow(daysAfter(2));

    const { referralId } = await referredBy(referrer, { context, occurredAt: hoursAfter(-10 * 24 + 1) });

    await expectScreened(referralId, 'review', [signal('self_referral_ip', 60, reason)]);
  });
});

describe('synthetic_identity in event time', () => {
  it('finds a numbered series among the referees nearest in time to a late sign-up', async () => {
    const { referrer } = await fraudProgram(onlyRules({ synthetic_identity: {} }));
    await referredBy(referrer, { email: 'promo.user11@example.com', occurredAt: daysAfter(-20) });
    await referredBy(referrer, { email: 'promo.user12@example.com', occurredAt: hoursAfter(-20 * 24 + 1) });
    for (let i = 0; i < 10; i++)
      await referredBy(referrer, { email: `friend.${'abcdefghij'[i]}@example.com` });

    const { referralId } = await referredBy(referrer, {
      email: 'promo.user13@example.com',
      occurredAt: hoursAfter(-20 * 24 + 2),
    });

    const sequence =
      "The referee's email address continues a numbered sequence among the referrer's recent referees.";
    await expectScreened(referralId, 'allow', [signal('synthetic_identity', 30, sequence)]);
  });
});
