import { describe, expect, it } from 'vitest';
import { approveAllDue } from '../../../src/worker/reward-maturation.ts';
import {
  approve,
  coupon,
  custom,
  holdingsOf,
  inKind,
  outbox,
  pts,
  qualify,
  refund,
  rewardOf,
  usd,
} from '../../support/kind-fixtures.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';

// Whatever a test did, the ledger's invariants hold after it.
useLedgerCheckedApp();

const DAY_MS = 86_400_000;
const T = new Date('2031-06-01T12:00:00.000Z');

describe('accounting class', () => {
  it.each([
    ['cash', 'marketing_expense', usd(1000)],
    ['credit', 'contra_revenue', { ...usd(1000), kind: 'credit' }],
    ['coupon', 'contra_revenue', coupon({ code_pattern: 'FRIEND-{8}' })],
    ['gift_card', 'marketing_expense', { ...usd(2500), kind: 'gift_card', description: 'A $25 card' }],
    ['points', 'contra_revenue', { ...pts(500), kind: 'points' }],
    ['custom', 'marketing_expense', custom],
  ])('books a %s reward by default as %s', async (kind, accountingClass, spec) => {
    const { rewards } = await qualify(t, { referrer: spec });
    expect(rewards).toEqual([expect.objectContaining({ kind, accounting_class: accountingClass })]);
  });

  it('books a reward as its rule says when the rule overrides the default', async () => {
    const { rewards } = await qualify(t, {
      referrer: coupon({ code_pattern: 'FRIEND-{8}', accounting_class: 'customer_acquisition_cost' }),
      referee: { ...usd(1000), kind: 'credit', accounting_class: 'marketing_expense' },
    });
    expect(rewards.map((r) => [r.kind, r.accounting_class])).toEqual([
      ['coupon', 'customer_acquisition_cost'],
      ['credit', 'marketing_expense'],
    ]);
  });
});

describe('cash', () => {
  it('becomes available at approval and is paid by a payout run, never listed in kind', async () => {
    const { rewards, referrer, program } = await qualify(t, { referrer: usd(1000) });
    expect(rewards[0]).toMatchObject({ kind: 'cash', fulfilment: null, code: null });
    expect(await approve(t, rewards[0].id)).toMatchObject({ status: 'approved', issued_at: null });
    const run = await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' });
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    expect(run.body.amount).toBe(1000);
    expect(await holdingsOf(t, referrer.id)).toEqual({
      balances: [{ currency: 'USD', pending: 0, available: 0, processing: 1000, paid: 0 }],
      inKind: [],
    });
  });
});

describe('credit', () => {
  it('grants credit at approval and keeps it off the cash balances', async () => {
    const { rewards, referrer } = await qualify(t, { referrer: { ...usd(1000), kind: 'credit' } });
    const [reward] = rewards;
    expect(reward).toMatchObject({ kind: 'credit', accounting_class: 'contra_revenue', status: 'pending' });
    expect(await approve(t, reward.id)).toMatchObject({ status: 'issued', fulfilment: { method: 'grant' } });
    const participant = (await t.api('GET', `/v1/participants/${referrer.id}`)).body;
    expect(participant.balances).toEqual([]);
    expect(participant.rewards_in_kind).toEqual([
      { currency: 'USD', pending: 0, due: 0, issued: 1000, redeemed: 0 },
    ]);
    const redeemed = await t.api('POST', `/v1/rewards/${reward.id}/redeem`);
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    expect(redeemed.body.status).toBe('redeemed');
  });

  it('is held as pending in kind, and issued by the maturation sweep when the hold ends', async () => {
    t.setNow(T);
    const { rewards, referrer } = await qualify(
      t,
      { referrer: { ...usd(1000), kind: 'credit' } },
      {},
      { hold: 7 },
    );
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('USD', { pending: 1000 })]);

    await approveAllDue(t.store, new Date(T.getTime() + 6.9 * DAY_MS));
    expect((await rewardOf(t, rewards[0].id)).status).toBe('pending');
    await approveAllDue(t.store, new Date(T.getTime() + 7 * DAY_MS));

    expect(await rewardOf(t, rewards[0].id)).toMatchObject({
      status: 'issued',
      issued_at: new Date(T.getTime() + 7 * DAY_MS).toISOString(),
    });
    expect(await outbox(t, 'reward.issued', { reward_id: rewards[0].id })).toEqual([
      expect.objectContaining({ kind: 'credit', amount: 1000, currency: 'USD', code: null }),
    ]);
    expect(await holdingsOf(t, referrer.id)).toEqual({
      balances: [],
      inKind: [inKind('USD', { issued: 1000 })],
    });
  });

  it('is clawed back in part from what was issued', async () => {
    const { rewards, referrer } = await qualify(t, { referrer: { ...usd(1000), kind: 'credit' } });
    await approve(t, rewards[0].id);

    const res = await t.api('POST', `/v1/rewards/${rewards[0].id}/reverse`, { amount: 300, reason: 'fraud' });

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'issued', reversed_amount: 300 });
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('USD', { issued: 700 })]);
  });

  it('shrinks pro rata to a partial refund, held or issued', async () => {
    const bought = await qualify(t, {
      referrer: { ...usd(1000), kind: 'credit' },
      referee: { ...usd(500), kind: 'credit' },
    });
    await approve(t, bought.rewards[0].id);

    const res = await refund(t, bought, 2500);

    expect(res.body.result).toMatchObject({ outcome: 'rewards_reversed' });
    expect(await rewardOf(t, bought.rewards[0].id)).toMatchObject({ status: 'issued', reversed_amount: 250 });
    expect(await rewardOf(t, bought.rewards[1].id)).toMatchObject({
      status: 'pending',
      reversed_amount: 125,
    });
  });
});

describe('points', () => {
  it('grants points in PTS at approval, and counts them spent when redeemed', async () => {
    const { rewards, referrer } = await qualify(t, { referrer: { ...pts(800), kind: 'points' } });
    expect(await approve(t, rewards[0].id)).toMatchObject({
      status: 'issued',
      currency: 'PTS',
      fulfilment: { method: 'grant' },
    });
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('PTS', { issued: 800 })]);

    const res = await t.api('POST', `/v1/rewards/${rewards[0].id}/redeem`, { reference: 'basket-9' });

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('PTS', { redeemed: 800 })]);
  });

  it('shrinks pro rata to a partial refund of the order', async () => {
    const bought = await qualify(t, { referrer: { ...pts(800), kind: 'points' } });
    await approve(t, bought.rewards[0].id);

    await refund(t, bought, 5000);

    expect(await rewardOf(t, bought.rewards[0].id)).toMatchObject({ status: 'issued', reversed_amount: 400 });
  });
});

describe('coupon codes made from a pattern', () => {
  it('generates codes from a pattern', async () => {
    const { rewards } = await qualify(t, { referrer: coupon({ code_pattern: 'FRIEND-{8}' }) });
    const issued = await approve(t, rewards[0].id);
    expect(issued.code).toMatch(/^FRIEND-[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(issued.fulfilment).toEqual({ method: 'generate', code_pattern: 'FRIEND-{8}' });
    expect(await outbox(t, 'reward.issued', { reward_id: rewards[0].id })).toEqual([
      expect.objectContaining({ kind: 'coupon', code: issued.code }),
    ]);
  });

  it('makes a different code for every reward, with the text after {N} kept', async () => {
    const { rewards } = await qualify(t, {
      referrer: coupon({ code_pattern: 'X_{6}-VIP' }),
      referee: coupon({ code_pattern: 'X_{6}-VIP' }),
    });
    const codes = [];
    for (const reward of rewards) codes.push((await approve(t, reward.id)).code);
    expect(codes).toEqual([
      expect.stringMatching(/^X_[0-9A-Z]{6}-VIP$/),
      expect.stringMatching(/^X_.{6}-VIP$/),
    ]);
    expect(codes[0]).not.toBe(codes[1]);
  });

  it('is clawed back whole or not at all, and the reversal names the code to revoke', async () => {
    const { rewards, referrer } = await qualify(t, { referrer: coupon({ code_pattern: 'FRIEND-{8}' }) });
    const { id, code } = await approve(t, rewards[0].id);

    const partial = await t.api('POST', `/v1/rewards/${id}/reverse`, { amount: 400, reason: 'fraud' });
    expect(partial.status).toBe(422);
    expect(partial.body.error).toMatchObject({ code: 'reward_not_divisible', param: 'amount' });

    const whole = await t.api('POST', `/v1/rewards/${id}/reverse`, { reason: 'fraud' });
    expect(whole.body).toMatchObject({ status: 'reversed', reversed_amount: 1000 });
    expect(await outbox(t, 'reward.reversed', { reward_id: id })).toEqual([
      expect.objectContaining({ kind: 'coupon', amount: 1000, code }),
    ]);
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('USD', {})]);
  });

  it('survives a partial refund, and is reversed whole once the order is refunded in full', async () => {
    const bought = await qualify(t, { referrer: coupon({ code_pattern: 'FRIEND-{8}' }) });
    await approve(t, bought.rewards[0].id);

    const first = await refund(t, bought, 6000);
    expect(first.body.result).toMatchObject({ outcome: 'recorded', reason: 'nothing_to_reverse' });
    expect(await rewardOf(t, bought.rewards[0].id)).toMatchObject({ status: 'issued', reversed_amount: 0 });

    const rest = await refund(t, bought, 4000);
    expect(rest.body.result).toMatchObject({ outcome: 'rewards_reversed' });
    expect(await rewardOf(t, bought.rewards[0].id)).toMatchObject({
      status: 'reversed',
      reversed_amount: 1000,
    });
  });
});
