import { describe, expect, it } from 'vitest';
import { unique } from '../../support/factories.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';
import {
  chargeOf,
  checkout,
  deliver,
  disputeOf,
  LEGACY_API,
  type Paid,
  referrerWithCode,
  rewardsOf,
  STRIPE_ENV,
  stripeEvent,
  subscriptionInvoice,
} from '../../support/stripe-fixtures.ts';
import { countRows } from '../../support/tables.ts';

// Chargebacks the merchant wins: charge.dispute.closed with status won gives back what
// charge.dispute.created took. The ledger is verified after every test.

useLedgerCheckedApp(STRIPE_ENV);

interface Reward {
  id: string;
  status: string;
  amount: number;
  reversed_amount: number;
  participant_id: string;
}

const kept = (rewards: Reward[]) => rewards.map((r) => r.amount - r.reversed_amount).sort((a, b) => a - b);

/** A referral paid in the given API shape: a checkout before basil, a subscription invoice from it on. */
async function paidReferral(shape: 'legacy' | 'basil') {
  const referrer = await referrerWithCode();
  const metadata = { vouch_ref: referrer.referral_code };
  if (shape === 'legacy') {
    const session = checkout({ metadata });
    await deliver(stripeEvent('checkout.session.completed', session));
    return { referrer, paid: session as Paid, apiVersion: LEGACY_API };
  }
  const invoice = subscriptionInvoice('basil', {
    customer: unique('cus'),
    subscription: unique('sub'),
    metadata,
  });
  await deliver(invoice.event);
  return { referrer, paid: invoice.paid, apiVersion: invoice.event.api_version };
}

const closed = (dispute: ReturnType<typeof disputeOf>, status: string, apiVersion: string) =>
  stripeEvent('charge.dispute.closed', { ...dispute, status }, apiVersion);

describe.each(['legacy', 'basil'] as const)('a chargeback won, in the %s shape', (shape) => {
  it('gives back what the chargeback took, with its own posting, audit entry and webhook', async () => {
    const { referrer, paid, apiVersion } = await paidReferral(shape);
    const dispute = disputeOf(paid, 10_000);
    await deliver(stripeEvent('charge.dispute.created', dispute, apiVersion));
    const lost = (await rewardsOf(referrer.id)) as Reward[];
    expect(lost.map((r) => r.status)).toEqual(['reversed', 'reversed']);

    const won = await deliver(closed(dispute, 'won', apiVersion));
    expect(won.status, JSON.stringify(won.body)).toBe(200);
    expect(won.body).toMatchObject({ outcome: 'recorded' });
    const rewards = (await rewardsOf(referrer.id)) as Reward[];
    expect(rewards.map((r) => [r.status, r.reversed_amount])).toEqual([
      ['pending', 0],
      ['pending', 0],
    ]);
    const balances = (await t.api('GET', `/v1/participants/${referrer.id}`)).body.balances;
    expect(balances).toEqual([{ currency: 'USD', pending: 1000, available: 0, processing: 0, paid: 0 }]);

    for (const reward of rewards) {
      const entries = await t.store.db
        .selectFrom('ledger_entries')
        .select(['posting_id', 'amount'])
        .where('reward_id', '=', reward.id)
        .orderBy('id')
        .execute();
      // Earned, clawed back, given back: three postings, the first two left as they were.
      expect(new Set(entries.map((e) => e.posting_id)).size).toBe(3);
      const audit = (await t.api('GET', `/v1/audit_log?subject_id=${reward.id}`)).body.data;
      expect(audit[0]).toMatchObject({ action: 'reward.reinstated' });
    }
    const messages = await t.store.db
      .selectFrom('outbox')
      .select('payload')
      .where('topic', '=', 'reward.reinstated')
      .execute();
    const reinstated = messages
      .map((m) => JSON.parse(m.payload))
      .filter((p) => rewards.some((r) => r.id === p.reward_id));
    expect(reinstated.map((p) => p.amount).sort((a, b) => a - b)).toEqual([500, 1000]);
    expect(reinstated[0]).toMatchObject({ reason: 'chargeback_won', event_id: won.body.event_ids[0] });
  });
});

describe('charge.dispute.closed', () => {
  it('changes nothing when Stripe delivers the won dispute again', async () => {
    const { referrer, paid } = await paidReferral('legacy');
    const dispute = disputeOf(paid, 10_000);
    await deliver(stripeEvent('charge.dispute.created', dispute));
    const event = closed(dispute, 'won', LEGACY_API);
    const first = await deliver(event);
    const before = await countRows(t.store.db);
    const again = await deliver(event);
    expect(again.body.event_ids).toEqual(first.body.event_ids);
    expect(await countRows(t.store.db)).toEqual(before);
    expect(kept(await rewardsOf(referrer.id))).toEqual([500, 1000]);
  });

  it('gives back only what the chargeback took, keeping an earlier refund’s clawback', async () => {
    const { referrer, paid } = await paidReferral('legacy');
    await deliver(stripeEvent('charge.refunded', chargeOf(paid, 3_000)));
    const dispute = disputeOf(paid, 7_000);
    await deliver(stripeEvent('charge.dispute.created', dispute));
    expect(kept(await rewardsOf(referrer.id))).toEqual([0, 0]);
    await deliver(closed(dispute, 'won', LEGACY_API));
    expect(kept(await rewardsOf(referrer.id))).toEqual([350, 700]);
  });

  it('claws back a refund after the won dispute from the whole purchase again', async () => {
    const { referrer, paid } = await paidReferral('legacy');
    const dispute = disputeOf(paid, 10_000);
    await deliver(stripeEvent('charge.dispute.created', dispute));
    await deliver(closed(dispute, 'won', LEGACY_API));
    const refund = await deliver(stripeEvent('charge.refunded', chargeOf(paid, 5_000)));
    expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    expect(kept(await rewardsOf(referrer.id))).toEqual([250, 500]);
  });

  it('returns an approved reward clawed back whole to approved, its balance available again', async () => {
    const { referrer, paid } = await paidReferral('legacy');
    const own = ((await rewardsOf(referrer.id)) as Reward[]).find((r) => r.participant_id === referrer.id);
    if (!own) throw new Error("the referrer's reward exists");
    expect((await t.api('POST', `/v1/rewards/${own.id}/approve`)).status).toBe(200);
    const dispute = disputeOf(paid, 10_000);
    await deliver(stripeEvent('charge.dispute.created', dispute));
    await deliver(closed(dispute, 'won', LEGACY_API));
    expect((await t.api('GET', `/v1/rewards/${own.id}`)).body).toMatchObject({
      status: 'approved',
      reversed_amount: 0,
      reversal_reason: null,
    });
    const balances = (await t.api('GET', `/v1/participants/${referrer.id}`)).body.balances;
    expect(balances).toEqual([{ currency: 'USD', pending: 0, available: 1000, processing: 0, paid: 0 }]);
  });

  it('does nothing for a won dispute whose chargeback took nothing', async () => {
    const { referrer, paid } = await paidReferral('legacy');
    await deliver(stripeEvent('charge.refunded', chargeOf(paid, 10_000)));
    const dispute = disputeOf(paid, 10_000);
    expect((await deliver(stripeEvent('charge.dispute.created', dispute))).body.reason).toBe('nothing_new');
    const before = await countRows(t.store.db);
    const won = await deliver(closed(dispute, 'won', LEGACY_API));
    expect(won.body).toMatchObject({ outcome: 'ignored', reason: 'nothing_new' });
    expect(await countRows(t.store.db)).toEqual(before);
    expect(kept(await rewardsOf(referrer.id))).toEqual([0, 0]);
  });

  it('keeps the clawback of a dispute closed lost', async () => {
    const { referrer, paid } = await paidReferral('legacy');
    const dispute = disputeOf(paid, 10_000);
    await deliver(stripeEvent('charge.dispute.created', dispute));
    const lost = await deliver(closed(dispute, 'lost', LEGACY_API));
    expect(lost.body).toMatchObject({ outcome: 'ignored', reason: 'dispute_not_won' });
    expect(kept(await rewardsOf(referrer.id))).toEqual([0, 0]);
  });
});
