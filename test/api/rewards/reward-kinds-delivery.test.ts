import { describe, expect, it } from 'vitest';
import { makeParticipant } from '../../support/factories.ts';
import {
  addCodes,
  approve,
  coupon,
  custom,
  holdingsOf,
  inKind,
  kindProgram,
  outbox,
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

describe('pools of codes', () => {
  it('draws coupon codes from a pool, and hands codes added later to rewards that waited', async () => {
    const { rewards, pools } = await qualify(t, { referrer: coupon({ pool_id: '@coupon_pool' }) });
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
    const { rewards, referrer, pools, program } = await qualify(t, {
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
    const { rewards, pools } = await qualify(t, { referrer: coupon({ pool_id: '@coupon_pool' }) });
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
    const { rewards, pools, referrer } = await qualify(t, {
      referrer: { ...usd(2500), kind: 'gift_card', pool_id: '@gift_pool' },
    });
    await addCodes(t, pools.gift_card, ['GIFT-AAAA-0001']);

    expect(await approve(t, rewards[0].id)).toMatchObject({ status: 'issued', code: 'GIFT-AAAA-0001' });
    const res = await t.api('POST', `/v1/rewards/${rewards[0].id}/redeem`, {});

    expect(res.body).toMatchObject({ status: 'redeemed', code: 'GIFT-AAAA-0001' });
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('USD', { redeemed: 2500 })]);
  });

  it('gives no code to a waiting reward that was clawed back', async () => {
    const { rewards, pools } = await qualify(t, { referrer: coupon({ pool_id: '@coupon_pool' }) });
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
    const { rewards } = await qualify(t, { referrer: custom });
    expect((await approve(t, rewards[0].id)).status).toBe('approved');
    const tasks = (await t.api('GET', `/v1/fulfilment_tasks?reward_id=${rewards[0].id}`)).body.data;
    expect(tasks).toHaveLength(1);
    const done = await t.api('POST', `/v1/fulfilment_tasks/${tasks[0].id}/complete`, { note: 'Booked' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect((await t.api('GET', `/v1/rewards/${rewards[0].id}`)).body.status).toBe('issued');
  });

  it('asks for the task by outbox, lists it by status and program, and records who did it', async () => {
    const { rewards, program, referrer } = await qualify(t, { referrer: custom });
    const [reward] = rewards;
    expect(await tasksOf(t, `reward_id=${reward.id}`)).toEqual([]);
    await approve(t, reward.id);
    const [task] = await tasksOf(t, `program_id=${program.id}&status=open`);
    expect(task).toMatchObject({
      object: 'fulfilment_task',
      reward_id: reward.id,
      description: 'Dinner for two',
      status: 'open',
      kind: 'custom',
      amount: 5000,
      currency: 'USD',
      completed_at: null,
      completed_by: null,
      canceled_at: null,
      canceled_by: null,
    });
    expect(await outbox(t, 'fulfilment.requested', { reward_id: reward.id })).toEqual([
      {
        task_id: task.id,
        reward_id: reward.id,
        participant_id: referrer.id,
        side: 'referrer',
        kind: 'custom',
        amount: 5000,
        currency: 'USD',
        description: 'Dinner for two',
      },
    ]);
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('USD', { due: 5000 })]);

    const done = await t.api('POST', `/v1/fulfilment_tasks/${task.id}/complete`, {
      note: 'Table for two, Friday',
      reference: 'OT-5521',
    });

    expect(done.body).toMatchObject({
      status: 'done',
      note: 'Table for two, Friday',
      completed_at: expect.any(String),
      completed_by: expect.stringMatching(/^key_/),
      canceled_at: null,
      canceled_by: null,
    });
    expect((await t.api('GET', `/v1/fulfilment_tasks/${task.id}`)).body).toEqual(done.body);
    expect(await rewardOf(t, reward.id)).toMatchObject({ status: 'issued', fulfilment_reference: 'OT-5521' });
    expect(await tasksOf(t, `program_id=${program.id}&status=open`)).toEqual([]);
    expect(await tasksOf(t, `program_id=${program.id}&status=done`)).toHaveLength(1);
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('USD', { issued: 5000 })]);
  });

  it('refuses to complete a task twice', async () => {
    const { rewards } = await qualify(t, { referrer: custom });
    await approve(t, rewards[0].id);
    const [task] = await tasksOf(t, `reward_id=${rewards[0].id}`);
    expect((await t.api('POST', `/v1/fulfilment_tasks/${task.id}/complete`, {})).status).toBe(200);

    const again = await t.api('POST', `/v1/fulfilment_tasks/${task.id}/complete`, { code: 'OTHER' });

    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('task_not_open');
    expect((await rewardOf(t, rewards[0].id)).code).toBeNull();
  });

  it('says who receives each task and on which side, for the fulfiller', async () => {
    const { program } = await kindProgram(t, {
      referrer: usd(1000),
      referee: { ...usd(2500), kind: 'gift_card', description: 'A $25 card' },
      milestones: [{ at_referral: 1, reward: custom }],
    });
    const referrer = await makeParticipant(t, program.id, { email: 'jane@example.com', name: 'Jane' });
    const { rewards, friend } = await referAndBuy(t, program.id, { referrer });
    for (const reward of rewards) await approve(t, reward.id);
    const friendReward = rewards.find((r) => r.side === 'referee');

    const tasks = await tasksOf(t, `program_id=${program.id}`);

    const recipients = tasks.map((task: any) => ({
      ...task.recipient,
      kind: task.kind,
      amount: task.amount,
    }));
    expect(recipients.sort((a: any, b: any) => a.side.localeCompare(b.side))).toEqual([
      {
        participant_id: friendReward.participant_id,
        side: 'referee',
        external_id: friend,
        email: null,
        name: null,
        kind: 'gift_card',
        amount: 2500,
      },
      {
        participant_id: referrer.id,
        side: 'referrer_milestone',
        external_id: referrer.external_id,
        email: 'jane@example.com',
        name: 'Jane',
        kind: 'custom',
        amount: 5000,
      },
    ]);
    for (const task of tasks) {
      expect((await t.api('GET', `/v1/fulfilment_tasks/${task.id}`)).body).toEqual(task);
    }
  });

  it('delivers a gift card without a pool by hand, with the code given', async () => {
    const { rewards } = await qualify(t, {
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
    const { rewards, referrer } = await qualify(t, { referrer: custom });
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
      canceled_at: whole.body.reversed_at,
      canceled_by: expect.stringMatching(/^key_/),
      completed_at: null,
      completed_by: null,
    });
    const complete = await t.api('POST', `/v1/fulfilment_tasks/${task.id}/complete`, {});
    expect(complete.status).toBe(409);
    expect(complete.body.error.code).toBe('task_not_open');
    expect((await holdingsOf(t, referrer.id)).inKind).toEqual([inKind('USD', {})]);
  });

  it('keeps the task through a partial refund and cancels it on a full one', async () => {
    const bought = await qualify(t, { referrer: custom });
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
