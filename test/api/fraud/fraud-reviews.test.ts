// The review queue: a referral whose fraud score reached review_score qualifies as usual, but its
// rewards wait for an admin's decision, whatever their hold. Approval releases them to their hold;
// rejection voids them and rejects the referral. Blocked referrals never earn anything.
import { beforeEach, describe, expect, it } from 'vitest';
import { approveAllDue } from '../../../src/worker/reward-maturation.ts';
import {
  daysAfter,
  decide,
  fraudProgram,
  hoursAfter,
  purchase,
  referral,
  referredBy,
  referrerSeenWith,
  reviewsOf,
  startClock,
} from '../../support/fraud-fixtures.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';
import { countRows } from '../../support/tables.ts';

useLedgerCheckedApp();
let start: Date;
beforeEach(() => {
  start = startClock();
});

const usd = (amount: number) => ({ amount, currency: 'USD' });
const money = (pending: number, available: number) => ({
  currency: 'USD',
  pending,
  available,
  processing: 0,
  paid: 0,
});

/** A referral held for review at sign-up (a disposable address) whose referee then bought. */
async function heldOrder() {
  const { program, referrer } = await fraudProgram(undefined, 1, {
    rewards: { referrer: usd(1000), referee: usd(500) },
    reward_hold_days: 7,
  });
  const { customer, referralId } = await referredBy(referrer, { email: 'jane.doe@mailinator.com' });
  const [review] = (await reviewsOf(referralId)) as [{ id: string }];
  const order = await purchase(customer, {}, 10_000);
  expect(order.body.result.outcome).toBe('referral_qualified');
  const rewardIds = order.body.result.reward_ids as [string, string];
  const { referee_id: refereeId } = await referral(referralId);
  return { program, referrer, refereeId: refereeId as string, customer, referralId, review, rewardIds };
}

const rewardStatuses = async (ids: readonly string[]) =>
  Promise.all(ids.map(async (id) => (await t.api('GET', `/v1/rewards/${id}`)).body.status));
const balances = async (participantId: string) =>
  (await t.api('GET', `/v1/participants/${participantId}`)).body.balances;
describe('a referral under review', () => {
  it('qualifies on purchase and earns rewards that stay pending', async () => {
    const { referralId, rewardIds, referrer, refereeId } = await heldOrder();

    expect(await referral(referralId)).toMatchObject({ status: 'qualified', fraud: { outcome: 'review' } });
    expect(await rewardStatuses(rewardIds)).toEqual(['pending', 'pending']);
    expect(await balances(referrer.id)).toEqual([money(1000, 0)]);
    expect(await balances(refereeId)).toEqual([money(500, 0)]);
  });

  it('refuses an early approval of its rewards with 409 review_open, and writes nothing', async () => {
    const { rewardIds, review } = await heldOrder();
    const before = await countRows(t.store.db);

    const res = await t.api('POST', `/v1/rewards/${rewardIds[0]}/approve`);

    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ type: 'conflict', code: 'review_open' });
    expect(res.body.error.message).toContain(review.id);
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('keeps its rewards pending after their hold ends: maturation skips them', async () => {
    const { rewardIds, referrer } = await heldOrder();

    await approveAllDue(t.store, daysAfter(30));

    expect(await rewardStatuses(rewardIds)).toEqual(['pending', 'pending']);
    expect(await balances(referrer.id)).toEqual([money(1000, 0)]);
  });
});

describe('approving a review', () => {
  it('closes it with the note and the deciding key, and lets maturation approve the rewards at their hold', async () => {
    const { review, rewardIds, referrer, referralId } = await heldOrder();
    t.setNow(hoursAfter(2));

    const res = await decide(review.id, 'approve', { note: 'Student address, real customer.' });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: review.id,
      object: 'review',
      status: 'approved',
      note: 'Student address, real customer.',
      decided_at: hoursAfter(2).toISOString(),
      decided_by: expect.stringMatching(/^key_/),
    });
    await approveAllDue(t.store, daysAfter(6.9));
    expect(await rewardStatuses(rewardIds)).toEqual(['pending', 'pending']);
    await approveAllDue(t.store, daysAfter(7));
    expect(await rewardStatuses(rewardIds)).toEqual(['approved', 'approved']);
    expect(await balances(referrer.id)).toEqual([money(0, 1000)]);
    expect((await referral(referralId)).status).toBe('qualified');
  });

  it('lets an admin approve the rewards early once the review is approved', async () => {
    const { review, rewardIds } = await heldOrder();
    await decide(review.id, 'approve');

    const res = await t.api('POST', `/v1/rewards/${rewardIds[0]}/approve`);

    expect(res.status).toBe(200);
    expect(res.body.status).toBe('approved');
  });
});

describe('rejecting a review', () => {
  it('rejects the referral and voids its rewards for fraud, taking the balances back to zero', async () => {
    const { review, rewardIds, referrer, refereeId, referralId } = await heldOrder();

    const res = await decide(review.id, 'reject', { note: 'Same person, second account.' });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'rejected', note: 'Same person, second account.' });
    expect(await referral(referralId)).toMatchObject({
      status: 'rejected',
      rejection_reason: 'fraud_review',
    });
    for (const [id, amount] of [
      [rewardIds[0], 1000],
      [rewardIds[1], 500],
    ] as const) {
      expect((await t.api('GET', `/v1/rewards/${id}`)).body).toMatchObject({
        status: 'reversed',
        reversed_amount: amount,
        reversal_reason: 'fraud',
      });
    }
    expect(await balances(referrer.id)).toEqual([money(0, 0)]);
    expect(await balances(refereeId)).toEqual([money(0, 0)]);
    await approveAllDue(t.store, daysAfter(30));
    expect(await rewardStatuses(rewardIds)).toEqual(['reversed', 'reversed']);
  });

  it('rejects a referral reviewed before any purchase, so the purchase earns nothing', async () => {
    const { referrer } = await fraudProgram();
    const { customer, referralId } = await referredBy(referrer, { email: 'jane.doe@mailinator.com' });
    const [review] = (await reviewsOf(referralId)) as [{ id: string }];

    await decide(review.id, 'reject');
    const order = await purchase(customer);

    expect(order.body.result).toMatchObject({ outcome: 'not_qualified', reward_ids: [] });
    expect((await t.api('GET', `/v1/rewards?referral_id=${referralId}`)).body.data).toEqual([]);
    expect(await referral(referralId)).toMatchObject({
      status: 'rejected',
      rejection_reason: 'fraud_review',
    });
  });
});

describe('deciding a review', () => {
  it.each([
    ['approve', 'approve'],
    ['approve', 'reject'],
    ['reject', 'reject'],
    ['reject', 'approve'],
  ] as const)(
    'decides once: %s then %s answers 409 review_not_open and writes nothing',
    async (first, second) => {
      const { review } = await heldOrder();
      expect((await decide(review.id, first)).status).toBe(200);
      const before = await countRows(t.store.db);

      const res = await decide(review.id, second, { note: 'Changed my mind.' });

      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ type: 'conflict', code: 'review_not_open' });
      expect(await countRows(t.store.db)).toEqual(before);
      expect((await t.api('GET', `/v1/reviews/${review.id}`)).body.note).toBe('Checked the order.');
    },
  );

  it.each([
    ['no note', {}, 'missing_field', 'note'],
    ['an empty note', { note: '' }, 'invalid_length', 'note'],
    ['a note over 2000 characters', { note: 'x'.repeat(2001) }, 'invalid_length', 'note'],
    ['a note that is not text', { note: 42 }, 'invalid_type', 'note'],
    ['an unknown field', { note: 'ok', reason: 'fraud' }, 'unknown_field', 'reason'],
  ])('refuses %s with 400 %s, leaving the review open', async (_case, body, code, param) => {
    const { review } = await heldOrder();
    const before = await countRows(t.store.db);

    for (const action of ['approve', 'reject'] as const) {
      const res = await decide(review.id, action, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code, param });
    }

    expect(await countRows(t.store.db)).toEqual(before);
    expect((await t.api('GET', `/v1/reviews/${review.id}`)).body.status).toBe('open');
  });

  it('accepts a note of exactly 2000 characters', async () => {
    const { review } = await heldOrder();

    const res = await decide(review.id, 'approve', { note: 'x'.repeat(2000) });

    expect(res.status).toBe(200);
  });

  it('answers 404 for a review that does not exist', async () => {
    for (const res of [
      await t.api('GET', '/v1/reviews/rev_missing'),
      await decide('rev_missing', 'approve'),
      await decide('rev_missing', 'reject'),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('resource_missing');
    }
  });

  it('writes the opening and the decision to the audit log, with the note and the deciding key', async () => {
    const { review, referralId, rewardIds } = await heldOrder();
    await decide(review.id, 'reject', { note: 'Chargeback on the order.' });

    const { data } = (await t.api('GET', `/v1/audit_log?subject_id=${review.id}`)).body;

    const decidedBy = (await t.api('GET', `/v1/reviews/${review.id}`)).body.decided_by;
    expect(data).toEqual([
      expect.objectContaining({
        action: 'review.rejected',
        actor: decidedBy,
        subject_id: review.id,
        details: {
          referral_id: referralId,
          note: 'Chargeback on the order.',
          voided_reward_ids: [...rewardIds].sort(),
        },
      }),
      expect.objectContaining({
        action: 'review.opened',
        actor: decidedBy,
        occurred_at: start.toISOString(),
        details: { referral_id: referralId, stage: 'signup', score: 50 },
      }),
    ]);
  });
});

describe('a blocked referral', () => {
  it('never earns rewards, even after a qualifying purchase, and opens no review', async () => {
    const { referrer } = await fraudProgram();
    await referrerSeenWith(referrer, { device_id: 'dev_referrers_phone' });
    const { customer, referralId } = await referredBy(referrer, {
      context: { device_id: 'dev_referrers_phone' },
    });

    const order = await purchase(customer, {}, 10_000);

    expect(order.body.result).toMatchObject({ outcome: 'not_qualified', reward_ids: [] });
    expect(await referral(referralId)).toMatchObject({ status: 'rejected', rejection_reason: 'fraud' });
    expect((await t.api('GET', `/v1/rewards?referral_id=${referralId}`)).body.data).toEqual([]);
    expect(await reviewsOf(referralId)).toEqual([]);
    expect(await balances(referrer.id)).toEqual([]);
  });
});
