import { describe, expect, it } from 'vitest';
import { approveAllDue } from '../../src/worker/reward-maturation.ts';
import { unique } from '../support/factories.ts';
import {
  addCodes,
  approve,
  holdingsOf,
  inKind,
  kindProgram,
  outbox,
  pts,
  referAndBuy,
  refund,
  rewardOf,
  tasksOf,
  usd,
} from '../support/kind-fixtures.ts';
import { t, useLedgerCheckedApp } from '../support/ledger-checked-app.ts';

// Whatever a test did, the ledger's invariants hold after it.
useLedgerCheckedApp();

/** A program paying these rewards at once (no hold), and one referred friend's first order. */
async function qualify(
  rewards: Record<string, unknown>,
  purchase: Record<string, unknown> = {},
  options: { hold?: number; lowStock?: number } = {},
) {
  const { program, pools } = await kindProgram(t, rewards, options);
  const bought = await referAndBuy(t, program.id, { purchase });
  return { program, pools, ...bought };
}

const DAY_MS = 86_400_000;
const T = new Date('2031-06-01T12:00:00.000Z');

const coupon = (extra: Record<string, unknown>) => ({ ...usd(1000), kind: 'coupon', ...extra });
const custom = { ...usd(5000), kind: 'custom', description: 'Dinner for two' };

describe('accounting class', () => {
  it.each([
    ['cash', 'marketing_expense', usd(1000)],
    ['credit', 'contra_revenue', { ...usd(1000), kind: 'credit' }],
    ['coupon', 'contra_revenue', coupon({ code_pattern: 'FRIEND-{8}' })],
    ['gift_card', 'marketing_expense', { ...usd(2500), kind: 'gift_card', description: 'A $25 card' }],
    ['points', 'contra_revenue', { ...pts(500), kind: 'points' }],
    ['custom', 'marketing_expense', custom],
  ])('books a %s reward by default as %s', async (kind, accountingClass, spec) => {
    const { rewards } = await qualify({ referrer: spec });
    expect(rewards).toEqual([expect.objectContaining({ kind, accounting_class: accountingClass })]);
  });

  it('books a reward as its rule says when the rule overrides the default', async () => {
    const { rewards } = await qualify({
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
    const { rewards, referrer, program } = await qualify({ referrer: usd(1000) });
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
    const { rewards, referrer } = await qualify({ referrer: { ...usd(1000), kind: 'credit' } });
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
    const { rewards, referrer } = await qualify({ referrer: { ...usd(1000), kind: 'credit' } });
    await approve(t, rewards[0].id);

    const res = await t.api('POST', `/v1/rewards/${rewards[0].id}/reverse`, { amount: 300, reason: 'fraud' });

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'issued', reversed_amount: 300 });
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('USD', { issued: 700 })]);
  });

  it('shrinks pro rata to a partial refund, held or issued', async () => {
    const bought = await qualify({
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
    const { rewards, referrer } = await qualify({ referrer: { ...pts(800), kind: 'points' } });
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
    const bought = await qualify({ referrer: { ...pts(800), kind: 'points' } });
    await approve(t, bought.rewards[0].id);

    await refund(t, bought, 5000);

    expect(await rewardOf(t, bought.rewards[0].id)).toMatchObject({ status: 'issued', reversed_amount: 400 });
  });
});

describe('coupon codes made from a pattern', () => {
  it('generates codes from a pattern', async () => {
    const { rewards } = await qualify({ referrer: coupon({ code_pattern: 'FRIEND-{8}' }) });
    const issued = await approve(t, rewards[0].id);
    expect(issued.code).toMatch(/^FRIEND-[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(issued.fulfilment).toEqual({ method: 'generate', code_pattern: 'FRIEND-{8}' });
    expect(await outbox(t, 'reward.issued', { reward_id: rewards[0].id })).toEqual([
      expect.objectContaining({ kind: 'coupon', code: issued.code }),
    ]);
  });

  it('makes a different code for every reward, with the text after {N} kept', async () => {
    const { rewards } = await qualify({
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
    const { rewards, referrer } = await qualify({ referrer: coupon({ code_pattern: 'FRIEND-{8}' }) });
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
    const bought = await qualify({ referrer: coupon({ code_pattern: 'FRIEND-{8}' }) });
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

describe('pools of codes', () => {
  it('draws coupon codes from a pool, and hands codes added later to rewards that waited', async () => {
    const { rewards, pools } = await qualify({ referrer: coupon({ pool_id: '@coupon_pool' }) });
    const [reward] = rewards;
    expect((await approve(t, reward.id)).status).toBe('approved');
    const added = await t.api('POST', `/v1/reward_pools/${pools.coupon}/codes`, {
      codes: ['SAVE-1', 'SAVE-2', 'SAVE-1'],
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body).toMatchObject({
      added: 2,
      skipped: 1,
      fulfilled: [reward.id],
      pool: { available: 1, drawn: 1 },
    });
    expect((await t.api('GET', `/v1/rewards/${reward.id}`)).body).toMatchObject({
      status: 'issued',
      code: 'SAVE-1',
    });
  });

  it('draws the oldest code first', async () => {
    const { program, pools } = await kindProgram(t, { referrer: coupon({ pool_id: '@coupon_pool' }) });
    await addCodes(t, pools.coupon, ['C-3', 'A-1']);
    await addCodes(t, pools.coupon, ['B-2']);
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const { rewards } = await referAndBuy(t, program.id);
      codes.push((await approve(t, rewards[0].id)).code);
    }
    expect(codes).toEqual(['C-3', 'A-1', 'B-2']);
  });

  it('leaves a reward due and raises reward_pool.empty when the pool has no code for it', async () => {
    const { rewards, referrer, pools, program } = await qualify({
      referrer: coupon({ pool_id: '@coupon_pool' }),
    });

    const res = await approve(t, rewards[0].id);

    expect(res).toMatchObject({
      status: 'approved',
      code: null,
      fulfilment: { method: 'pool', pool_id: pools.coupon },
    });
    expect(await outbox(t, 'reward_pool.empty', { pool_id: pools.coupon })).toEqual([
      { pool_id: pools.coupon, program_id: program.id, available: 0, reward_id: rewards[0].id },
    ]);
    expect(await outbox(t, 'reward.issued', { reward_id: rewards[0].id })).toEqual([]);
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('USD', { due: 1000 })]);
  });

  it('hands an upload smaller than the queue to the rewards that waited longest', async () => {
    const { program, pools } = await kindProgram(t, { referrer: coupon({ pool_id: '@coupon_pool' }) });
    const waiting = [];
    for (let i = 0; i < 3; i++) {
      const { rewards } = await referAndBuy(t, program.id);
      await approve(t, rewards[0].id);
      waiting.push(rewards[0].id);
    }

    const first = await addCodes(t, pools.coupon, ['W-1', 'W-2']);

    expect(first).toMatchObject({
      added: 2,
      skipped: 0,
      fulfilled: waiting.slice(0, 2),
      pool: { available: 0, drawn: 2 },
    });
    expect((await rewardOf(t, waiting[0])).code).toBe('W-1');
    expect((await rewardOf(t, waiting[1])).code).toBe('W-2');
    expect((await rewardOf(t, waiting[2])).status).toBe('approved');
    const second = await addCodes(t, pools.coupon, ['W-3', 'W-4']);
    expect(second).toMatchObject({ added: 2, fulfilled: [waiting[2]], pool: { available: 1, drawn: 3 } });
  });

  it('skips codes the pool has had, drawn or not, so an upload can be retried whole', async () => {
    const { rewards, pools } = await qualify({ referrer: coupon({ pool_id: '@coupon_pool' }) });
    await addCodes(t, pools.coupon, ['K-1', 'K-2']);
    await approve(t, rewards[0].id);

    const again = await addCodes(t, pools.coupon, ['K-1', 'K-2', ' K-3 ', 'K-3']);

    expect(again).toMatchObject({ added: 1, skipped: 3, fulfilled: [], pool: { available: 2, drawn: 1 } });
    const codes = await t.store.db
      .selectFrom('reward_pool_codes')
      .select('code')
      .where('pool_id', '=', pools.coupon)
      .orderBy('code')
      .execute();
    expect(codes.map((c) => c.code)).toEqual(['K-1', 'K-2', 'K-3']);
  });

  it('raises reward_pool.low once, on the draw that leaves exactly the threshold', async () => {
    const { program, pools } = await kindProgram(
      t,
      { referrer: coupon({ pool_id: '@coupon_pool' }) },
      { lowStock: 2 },
    );
    await addCodes(t, pools.coupon, ['L-1', 'L-2', 'L-3', 'L-4']);
    const low = () => outbox(t, 'reward_pool.low', { pool_id: pools.coupon });

    for (let drawn = 1; drawn <= 4; drawn++) {
      const { rewards } = await referAndBuy(t, program.id);
      await approve(t, rewards[0].id);
      expect(await low()).toHaveLength(drawn < 2 ? 0 : 1);
    }
    expect(await low()).toEqual([
      { pool_id: pools.coupon, program_id: program.id, available: 2, threshold: 2 },
    ]);
  });

  it('draws gift-card codes from a gift-card pool, and they can be redeemed', async () => {
    const { rewards, pools, referrer } = await qualify({
      referrer: { ...usd(2500), kind: 'gift_card', pool_id: '@gift_pool' },
    });
    await addCodes(t, pools.gift_card, ['GIFT-AAAA-0001']);

    expect(await approve(t, rewards[0].id)).toMatchObject({ status: 'issued', code: 'GIFT-AAAA-0001' });
    const res = await t.api('POST', `/v1/rewards/${rewards[0].id}/redeem`, {});

    expect(res.body).toMatchObject({ status: 'redeemed', code: 'GIFT-AAAA-0001' });
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('USD', { redeemed: 2500 })]);
  });

  it('gives no code to a waiting reward that was clawed back', async () => {
    const { rewards, pools } = await qualify({ referrer: coupon({ pool_id: '@coupon_pool' }) });
    await approve(t, rewards[0].id);
    const reversed = await t.api('POST', `/v1/rewards/${rewards[0].id}/reverse`, { reason: 'duplicate' });
    expect(reversed.body).toMatchObject({ status: 'reversed' });

    const added = await addCodes(t, pools.coupon, ['N-1']);

    expect(added).toMatchObject({ added: 1, fulfilled: [], pool: { available: 1, drawn: 0 } });
    expect((await rewardOf(t, rewards[0].id)).code).toBeNull();
  });

  it("refuses a pool of another program, or of another kind, in a program's rules", async () => {
    const mine = await kindProgram(t, { referrer: usd(1000) });
    const theirs = await kindProgram(t, { referrer: usd(1000) });
    for (const [spec, param] of [
      [coupon({ pool_id: theirs.pools.coupon }), 'rewards.referrer.pool_id'],
      [coupon({ pool_id: mine.pools.gift_card }), 'rewards.referrer.pool_id'],
      [coupon({ pool_id: 'rpl_missing' }), 'rewards.referrer.pool_id'],
    ] as const) {
      const res = await t.api('PATCH', `/v1/programs/${mine.program.id}`, { rewards: { referrer: spec } });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_value', param });
    }
    const program = (await t.api('GET', `/v1/programs/${mine.program.id}`)).body;
    expect(program.rewards.referrer).toEqual(usd(1000));
  });

  it('shows how many codes a pool has left and lists the pools of a program', async () => {
    const { program, pools } = await kindProgram(t, { referrer: usd(1000) });
    await addCodes(t, pools.coupon, ['P-1', 'P-2']);

    expect((await t.api('GET', `/v1/reward_pools/${pools.coupon}`)).body).toMatchObject({
      object: 'reward_pool',
      program_id: program.id,
      kind: 'coupon',
      low_stock_threshold: 10,
      available: 2,
      drawn: 0,
    });
    const list = (await t.api('GET', `/v1/reward_pools?program_id=${program.id}`)).body.data;
    expect(list.map((p: { id: string }) => p.id).sort()).toEqual([pools.coupon, pools.gift_card].sort());
  });
});

describe('fulfilment tasks', () => {
  it('opens a task for a custom reward and issues it when done', async () => {
    const { rewards } = await qualify({ referrer: custom });
    expect((await approve(t, rewards[0].id)).status).toBe('approved');
    const tasks = (await t.api('GET', `/v1/fulfilment_tasks?reward_id=${rewards[0].id}`)).body.data;
    expect(tasks).toHaveLength(1);
    const done = await t.api('POST', `/v1/fulfilment_tasks/${tasks[0].id}/complete`, { note: 'Booked' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect((await t.api('GET', `/v1/rewards/${rewards[0].id}`)).body.status).toBe('issued');
  });

  it('asks for the task by outbox, lists it by status and program, and records who did it', async () => {
    const { rewards, program, referrer } = await qualify({ referrer: custom });
    const [reward] = rewards;
    expect(await tasksOf(t, `reward_id=${reward.id}`)).toEqual([]);
    await approve(t, reward.id);
    const [task] = await tasksOf(t, `program_id=${program.id}&status=open`);
    expect(task).toMatchObject({
      object: 'fulfilment_task',
      reward_id: reward.id,
      description: 'Dinner for two',
      status: 'open',
      completed_at: null,
    });
    expect(await outbox(t, 'fulfilment.requested', { reward_id: reward.id })).toEqual([
      { task_id: task.id, reward_id: reward.id, kind: 'custom', description: 'Dinner for two' },
    ]);
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('USD', { due: 5000 })]);

    const done = await t.api('POST', `/v1/fulfilment_tasks/${task.id}/complete`, {
      note: 'Table for two, Friday',
      reference: 'OT-5521',
    });

    expect(done.body).toMatchObject({
      status: 'done',
      note: 'Table for two, Friday',
      completed_by: expect.any(String),
    });
    expect((await t.api('GET', `/v1/fulfilment_tasks/${task.id}`)).body).toEqual(done.body);
    expect(await rewardOf(t, reward.id)).toMatchObject({ status: 'issued', fulfilment_reference: 'OT-5521' });
    expect(await tasksOf(t, `program_id=${program.id}&status=open`)).toEqual([]);
    expect(await tasksOf(t, `program_id=${program.id}&status=done`)).toHaveLength(1);
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('USD', { issued: 5000 })]);
  });

  it('refuses to complete a task twice', async () => {
    const { rewards } = await qualify({ referrer: custom });
    await approve(t, rewards[0].id);
    const [task] = await tasksOf(t, `reward_id=${rewards[0].id}`);
    expect((await t.api('POST', `/v1/fulfilment_tasks/${task.id}/complete`, {})).status).toBe(200);

    const again = await t.api('POST', `/v1/fulfilment_tasks/${task.id}/complete`, { code: 'OTHER' });

    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('task_not_open');
    expect((await rewardOf(t, rewards[0].id)).code).toBeNull();
  });

  it('delivers a gift card without a pool by hand, with the code given', async () => {
    const { rewards } = await qualify({
      referrer: { ...usd(2500), kind: 'gift_card', description: 'Send a $25 store card' },
    });
    expect((await approve(t, rewards[0].id)).fulfilment).toEqual({
      method: 'task',
      description: 'Send a $25 store card',
    });
    const [task] = await tasksOf(t, `reward_id=${rewards[0].id}`);

    await t.api('POST', `/v1/fulfilment_tasks/${task.id}/complete`, { code: 'CARD-77', reference: 'ord-1' });

    expect(await rewardOf(t, rewards[0].id)).toMatchObject({
      status: 'issued',
      code: 'CARD-77',
      fulfilment_reference: 'ord-1',
    });
    expect(await outbox(t, 'reward.issued', { reward_id: rewards[0].id })).toEqual([
      expect.objectContaining({ kind: 'gift_card', code: 'CARD-77' }),
    ]);
    expect((await t.api('POST', `/v1/rewards/${rewards[0].id}/redeem`)).body.status).toBe('redeemed');
  });

  it('cancels the open task of a reward clawed back, which can then not be completed', async () => {
    const { rewards, referrer } = await qualify({ referrer: custom });
    await approve(t, rewards[0].id);
    const [task] = await tasksOf(t, `reward_id=${rewards[0].id}`);

    const partial = await t.api('POST', `/v1/rewards/${rewards[0].id}/reverse`, {
      amount: 100,
      reason: 'other',
    });
    expect(partial.status).toBe(422);
    expect(partial.body.error.code).toBe('reward_not_divisible');
    expect((await t.api('GET', `/v1/fulfilment_tasks/${task.id}`)).body.status).toBe('open');
    const whole = await t.api('POST', `/v1/rewards/${rewards[0].id}/reverse`, { reason: 'fraud' });
    expect(whole.body).toMatchObject({ status: 'reversed', reversed_amount: 5000 });

    expect((await t.api('GET', `/v1/fulfilment_tasks/${task.id}`)).body).toMatchObject({
      status: 'canceled',
      completed_at: expect.any(String),
    });
    const complete = await t.api('POST', `/v1/fulfilment_tasks/${task.id}/complete`, {});
    expect(complete.status).toBe(409);
    expect(complete.body.error.code).toBe('task_not_open');
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('USD', {})]);
  });

  it('keeps the task through a partial refund and cancels it on a full one', async () => {
    const bought = await qualify({ referrer: custom });
    await approve(t, bought.rewards[0].id);
    const [task] = await tasksOf(t, `reward_id=${bought.rewards[0].id}`);

    await refund(t, bought, 9999);
    expect((await t.api('GET', `/v1/fulfilment_tasks/${task.id}`)).body.status).toBe('open');
    await refund(t, bought, 1);

    expect((await t.api('GET', `/v1/fulfilment_tasks/${task.id}`)).body.status).toBe('canceled');
    expect(await rewardOf(t, bought.rewards[0].id)).toMatchObject({
      status: 'reversed',
      reversal_reason: 'refund',
    });
  });
});

describe('redemption', () => {
  it.each([
    ['cash', usd(1000)],
    ['custom', custom],
  ])('refuses to redeem a %s reward', async (_kind, spec) => {
    const { rewards } = await qualify({ referrer: spec });
    await approve(t, rewards[0].id);

    const res = await t.api('POST', `/v1/rewards/${rewards[0].id}/redeem`);

    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('reward_not_redeemable');
  });

  it('redeems only an issued reward, once', async () => {
    const { rewards } = await qualify({ referrer: { ...usd(1000), kind: 'credit' } });
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
    const { rewards } = await qualify({ referrer: coupon({ code_pattern: 'FRIEND-{8}' }) });
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
    const bought = await qualify({
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
    const { program, rewards } = await qualify({
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
    const { rewards } = await qualify({ referrer: null, referee: exclusive }, { loyalty_points: 200 });
    expect(rewards).toEqual([expect.objectContaining({ kind: 'points', amount: 300, currency: 'PTS' })]);
  });

  it('skips the referee points when the loyalty points cover them, and says why', async () => {
    const { rewards, referralId } = await qualify(
      { referrer: usd(1000), referee: exclusive },
      { loyalty_points: 500 },
    );
    expect(rewards).toEqual([expect.objectContaining({ side: 'referrer', kind: 'cash', amount: 1000 })]);
    expect((await t.api('GET', `/v1/referrals/${referralId}`)).body.unrewarded_reason).toBe(
      'loyalty_points_exclusive',
    );
  });

  it("never cuts the referrer's points: only the buyer earned loyalty points", async () => {
    const { rewards } = await qualify({ referrer: exclusive, referee: null }, { loyalty_points: 300 });
    expect(rewards).toEqual([expect.objectContaining({ side: 'referrer', amount: 500 })]);
  });

  it('pays points in full, beside loyalty points, without the option', async () => {
    const { rewards, referralId } = await qualify(
      { referrer: null, referee: { ...pts(500), kind: 'points' } },
      { loyalty_points: 900 },
    );
    expect(rewards).toEqual([expect.objectContaining({ side: 'referee', amount: 500 })]);
    expect((await t.api('GET', `/v1/referrals/${referralId}`)).body.unrewarded_reason).toBeNull();
  });
});

describe('rules versions', () => {
  it('keeps the kind a reward was earned as after the rules change', async () => {
    const { rewards, program } = await qualify({ referrer: { ...usd(1000), kind: 'credit' } });
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
    const { rewards, pools, program } = await qualify({ referrer: coupon({ pool_id: '@coupon_pool' }) });
    await t.api('PATCH', `/v1/programs/${program.id}`, {
      rewards: { referrer: coupon({ code_pattern: 'NEW-{6}' }) },
    });
    await addCodes(t, pools.coupon, ['POOLED-1']);

    expect(await approve(t, rewards[0].id)).toMatchObject({ status: 'issued', code: 'POOLED-1' });
  });
});

describe('audit log', () => {
  it('records pools created and filled, and tasks completed', async () => {
    const { rewards, pools } = await qualify({
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
