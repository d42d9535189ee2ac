import { describe, expect, it } from 'vitest';
import { unique } from '../../support/factories.ts';
import {
  addCodes,
  approve,
  coupon,
  custom,
  holdingsOf,
  inKind,
  kindProgram,
  outbox,
  pts,
  qualify,
  referAndBuy,
  refund,
  rewardOf,
  tasksOf,
  usd,
} from '../../support/kind-fixtures.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';

// Whatever a test did, the ledger's invariants hold after it.
useLedgerCheckedApp();

describe('redemption', () => {
  it.each([
    ['cash', usd(1000)],
    ['custom', custom],
  ])('refuses to redeem a %s reward', async (_kind, spec) => {
    const { rewards } = await qualify(t, { referrer: spec });
    await approve(t, rewards[0].id);

    const res = await t.api('POST', `/v1/rewards/${rewards[0].id}/redeem`);

    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('reward_not_redeemable');
  });

  it('redeems only an issued reward, once', async () => {
    const { rewards } = await qualify(t, { referrer: { ...usd(1000), kind: 'credit' } });
    const url = `/v1/rewards/${rewards[0].id}/redeem`;
    const held = await t.api('POST', url);
    expect(held.status).toBe(409);
    expect(held.body.error.code).toBe('reward_not_issued');
    await approve(t, rewards[0].id);
    expect((await t.api('POST', url)).status).toBe(200);

    const again = await t.api('POST', url);

    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('reward_not_issued');
  });

  it('reports a redemption with its reference and audits it', async () => {
    const { rewards } = await qualify(t, { referrer: coupon({ code_pattern: 'FRIEND-{8}' }) });
    await approve(t, rewards[0].id);

    const res = await t.api('POST', `/v1/rewards/${rewards[0].id}/redeem`, { reference: 'order-881' });

    expect(res.body).toMatchObject({ status: 'redeemed', redeemed_at: expect.any(String) });
    expect(await outbox(t, 'reward.redeemed', { reward_id: rewards[0].id })).toEqual([
      { reward_id: rewards[0].id, amount: 1000, reference: 'order-881' },
    ]);
    const audit = (await t.api('GET', `/v1/audit_log?subject_id=${rewards[0].id}`)).body.data;
    expect(audit.map((entry: { action: string }) => entry.action)).toEqual([
      'reward.redeemed',
      'reward.issued',
      'reward.approved',
      'reward.created',
    ]);
  });

  it('leaves a redeemed reward alone: no clawback by hand or by refund', async () => {
    const bought = await qualify(t, {
      referrer: { ...usd(1000), kind: 'credit' },
      referee: coupon({ code_pattern: 'FRIEND-{8}' }),
    });
    for (const reward of bought.rewards) {
      await approve(t, reward.id);
      await t.api('POST', `/v1/rewards/${reward.id}/redeem`);
    }
    const reverse = await t.api('POST', `/v1/rewards/${bought.rewards[0].id}/reverse`, { reason: 'fraud' });
    expect(reverse.status).toBe(409);
    expect(reverse.body.error.code).toBe('reward_redeemed');

    const res = await refund(t, bought, 10_000);

    expect(res.body.result).toMatchObject({ outcome: 'recorded', reason: 'nothing_to_reverse' });
    for (const reward of bought.rewards) {
      expect(await rewardOf(t, reward.id)).toMatchObject({ status: 'redeemed', reversed_amount: 0 });
    }
  });
});

describe('payout runs', () => {
  it('have nothing to pay in a program whose only rewards are credit', async () => {
    const { program, rewards } = await qualify(t, {
      referrer: { ...usd(1000), kind: 'credit' },
      referee: { ...usd(500), kind: 'credit' },
    });
    for (const reward of rewards) await approve(t, reward.id);

    const run = await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' });

    expect(run.status).toBe(422);
    expect(run.body.error.code).toBe('nothing_to_pay');
  });

  it('pay the cash rewards and leave the rewards in kind of the same participant out', async () => {
    const { program, pools } = await kindProgram(t, {
      referrer: usd(1000),
      milestones: [{ at_referral: 1, reward: { ...usd(2000), kind: 'gift_card', pool_id: '@gift_pool' } }],
    });
    await addCodes(t, pools.gift_card, ['G-1']);
    const { rewards, referrer } = await referAndBuy(t, program.id);
    for (const reward of rewards) await approve(t, reward.id);

    const run = await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' });

    expect(run.body).toMatchObject({ amount: 1000, item_count: 1 });
    expect(await holdingsOf(t, referrer.id)).toEqual({
      balances: [{ currency: 'USD', pending: 0, available: 0, processing: 1000, paid: 0 }],
      inKind: [inKind('USD', { issued: 2000 })],
    });
  });
});

describe('referral points exclusive of loyalty points', () => {
  const exclusive = { ...pts(500), kind: 'points', exclusive_of_loyalty: true };

  it('cuts exclusive referral points by the loyalty points the order earned', async () => {
    const { rewards } = await qualify(t, { referrer: null, referee: exclusive }, { loyalty_points: 200 });
    expect(rewards).toEqual([expect.objectContaining({ kind: 'points', amount: 300, currency: 'PTS' })]);
  });

  it('skips the referee points when the loyalty points cover them, and says why', async () => {
    const { rewards, referralId } = await qualify(
      t,
      { referrer: usd(1000), referee: exclusive },
      { loyalty_points: 500 },
    );
    expect(rewards).toEqual([expect.objectContaining({ side: 'referrer', kind: 'cash', amount: 1000 })]);
    expect((await t.api('GET', `/v1/referrals/${referralId}`)).body.unrewarded_reason).toBe(
      'loyalty_points_exclusive',
    );
  });

  it("pays the referrer's points in full beside the buyer's loyalty points", async () => {
    const referrer = { ...pts(500), kind: 'points' };
    const { rewards } = await qualify(t, { referrer, referee: null }, { loyalty_points: 300 });
    expect(rewards).toEqual([expect.objectContaining({ side: 'referrer', amount: 500 })]);
  });

  it('pays points in full, beside loyalty points, without the option', async () => {
    const { rewards, referralId } = await qualify(
      t,
      { referrer: null, referee: { ...pts(500), kind: 'points' } },
      { loyalty_points: 900 },
    );
    expect(rewards).toEqual([expect.objectContaining({ side: 'referee', amount: 500 })]);
    expect((await t.api('GET', `/v1/referrals/${referralId}`)).body.unrewarded_reason).toBeNull();
  });
});

describe('rules versions', () => {
  it('keeps the kind a reward was earned as after the rules change', async () => {
    const { rewards, program } = await qualify(t, { referrer: { ...usd(1000), kind: 'credit' } });
    const patched = await t.api('PATCH', `/v1/programs/${program.id}`, { rewards: { referrer: usd(1000) } });
    expect(patched.status).toBe(200);

    expect(await approve(t, rewards[0].id)).toMatchObject({ kind: 'credit', status: 'issued' });
  });

  it('rewards a referral made under earlier rules in the kind those rules gave', async () => {
    const { program } = await kindProgram(t, { referrer: coupon({ code_pattern: 'OLD-{6}' }) });
    const referrer = (
      await t.api('POST', '/v1/participants', { program_id: program.id, external_id: unique('referrer') })
    ).body;
    const friend = unique('friend');
    await t.api('POST', '/v1/events', {
      type: 'signup',
      external_id: unique('signup'),
      customer: { external_id: friend },
      referral: { code: referrer.referral_code },
    });
    await t.api('PATCH', `/v1/programs/${program.id}`, { rewards: { referrer: usd(1000) } });

    const purchase = await t.api('POST', '/v1/events', {
      type: 'purchase',
      external_id: unique('purchase'),
      customer: { external_id: friend },
      ...usd(10_000),
    });

    const [id] = purchase.body.result.reward_ids;
    expect(await rewardOf(t, id)).toMatchObject({ kind: 'coupon', fulfilment: { code_pattern: 'OLD-{6}' } });
    expect((await approve(t, id)).code).toMatch(/^OLD-.{6}$/);
  });

  it('draws from the pool a reward was earned with after the rules stop naming it', async () => {
    const { rewards, pools, program } = await qualify(t, { referrer: coupon({ pool_id: '@coupon_pool' }) });
    await t.api('PATCH', `/v1/programs/${program.id}`, {
      rewards: { referrer: coupon({ code_pattern: 'NEW-{6}' }) },
    });
    await addCodes(t, pools.coupon, ['POOLED-1']);

    expect(await approve(t, rewards[0].id)).toMatchObject({ status: 'issued', code: 'POOLED-1' });
  });
});

describe('audit log', () => {
  it('records pools created and filled, and tasks completed', async () => {
    const { rewards, pools } = await qualify(t, {
      referrer: custom,
      referee: coupon({ pool_id: '@coupon_pool' }),
    });
    await addCodes(t, pools.coupon, ['AUD-1']);
    for (const reward of rewards) await approve(t, reward.id);
    const [task] = await tasksOf(t, `reward_id=${rewards[0].id}`);
    await t.api('POST', `/v1/fulfilment_tasks/${task.id}/complete`, { note: 'Done' });
    const actions = async (id: string) =>
      (await t.api('GET', `/v1/audit_log?subject_id=${id}`)).body.data.map(
        (entry: { action: string; details: unknown }) => [entry.action, entry.details],
      );

    expect(await actions(pools.coupon)).toEqual([
      ['reward_pool.codes_added', { added: 1, fulfilled: 0 }],
      ['reward_pool.created', { name: 'coupon' }],
    ]);
    expect(await actions(task.id)).toEqual([
      ['fulfilment_task.completed', { reward_id: rewards[0].id, note: 'Done' }],
    ]);
    expect((await actions(rewards[1].id)).map(([action]: [string]) => action)).toContain('reward.issued');
  });
});
