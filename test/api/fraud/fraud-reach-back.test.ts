// A cluster rule (bulk_ip, bulk_subnet, synthetic_identity, velocity) can see a farm only at its
// Nth member, once the first ones have passed. When it fires, it reaches back: every other member
// nothing has paid yet gets the same signal, named for the cluster, and is held for review when
// its score reaches review_score. What was paid, rejected or already flagged is left as it is.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  expectScreened,
  fraudProgram,
  purchase,
  type Referrer,
  referral,
  referredBy,
  referrerSeenWith,
  reviewsOf,
  signal,
  startClock,
} from '../../support/fraud-fixtures.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';

useLedgerCheckedApp();
beforeEach(() => {
  startClock();
});

const IP = '198.51.100.23';
const lateReason = (foundBy: string) =>
  `Part of a cluster found at referral ${foundBy}: sign-ups from one IP address, more than 3 in 24 h.`;

/** One sign-up from the shared IP address per referrer given; the referral ids and customers. */
async function farm(referrers: Referrer[]) {
  const members: { referralId: string; customer: string }[] = [];
  for (const referrer of referrers) members.push(await referredBy(referrer, { context: { ip: IP } }));
  return members;
}

async function rewardsOf(referralId: string) {
  return (await t.api('GET', `/v1/rewards?referral_id=${referralId}`)).body.data as { id: string }[];
}

describe('reach-back', () => {
  it('holds the rewards of an earlier member that qualified but was not approved yet', async () => {
    const { referrers } = await fraudProgram(undefined, 4);
    const [first, ...rest] = await farm(referrers.slice(0, 3));
    expect((await purchase(first?.customer as string)).status).toBe(201);
    const rewards = await rewardsOf(first?.referralId as string);
    expect(rewards.length).toBeGreaterThan(0);

    const fourth = await referredBy(referrers[3] as Referrer, { context: { ip: IP } });

    await expectScreened(first?.referralId as string, 'review', [
      signal('bulk_ip', 50, lateReason(fourth.referralId)),
    ]);
    for (const member of rest) {
      await expectScreened(member.referralId, 'review', [
        signal('bulk_ip', 50, lateReason(fourth.referralId)),
      ]);
    }
    const approve = await t.api('POST', `/v1/rewards/${rewards[0]?.id}/approve`);
    expect(approve.status).toBe(409);
    expect(approve.body.error.code).toBe('review_open');
  });

  it('leaves alone a member whose reward is already approved, and one already rejected', async () => {
    const { referrers } = await fraudProgram(undefined, 4);
    const [paid, pending] = await farm(referrers.slice(0, 2));
    expect((await purchase(paid?.customer as string)).status).toBe(201);
    for (const reward of await rewardsOf(paid?.referralId as string)) {
      expect((await t.api('POST', `/v1/rewards/${reward.id}/approve`)).status).toBe(200);
    }
    // Blocked as a self-referral: rejected, so a later cluster has nothing left to hold.
    await referrerSeenWith(referrers[2] as Referrer, { device_id: 'dev_shared_laptop' });
    const rejected = await referredBy(referrers[2] as Referrer, {
      context: { ip: IP, device_id: 'dev_shared_laptop' },
    });
    expect((await referral(rejected.referralId)).status).toBe('rejected');

    const fourth = await referredBy(referrers[3] as Referrer, { context: { ip: IP } });

    await expectScreened(paid?.referralId as string, 'allow', []);
    const rules = (await referral(rejected.referralId)).fraud.signals.map((s: { rule: string }) => s.rule);
    expect(rules).not.toContain('bulk_ip');
    await expectScreened(pending?.referralId as string, 'review', [
      signal('bulk_ip', 50, lateReason(fourth.referralId)),
    ]);
  });

  it('adds a cluster signal to a member once, however many more members follow', async () => {
    const { referrers } = await fraudProgram(undefined, 6);
    const [first] = await farm(referrers.slice(0, 3));
    const fourth = await referredBy(referrers[3] as Referrer, { context: { ip: IP } });

    await farm(referrers.slice(4));

    await expectScreened(first?.referralId as string, 'review', [
      signal('bulk_ip', 50, lateReason(fourth.referralId)),
    ]);
    expect(await reviewsOf(first?.referralId as string)).toHaveLength(1);
  });

  it('says in the audit log which referral found the cluster', async () => {
    const { referrers } = await fraudProgram(undefined, 4);
    const [first] = await farm(referrers.slice(0, 3));
    const fourth = await referredBy(referrers[3] as Referrer, { context: { ip: IP } });

    const log = await t.api('GET', `/v1/audit_log?subject_id=${first?.referralId}`);

    expect(log.status, JSON.stringify(log.body)).toBe(200);
    expect(log.body.data).toContainEqual(
      expect.objectContaining({
        action: 'fraud_signal.added',
        actor: expect.any(String),
        details: expect.objectContaining({ rule: 'bulk_ip', score: 50, found_by: fourth.referralId }),
      }),
    );
  });
});
