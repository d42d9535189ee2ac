import { describe, expect, it } from 'vitest';
import { approveAllDue } from '../../../src/worker/reward-maturation.ts';
import { event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';
import { countRows } from '../../support/tables.ts';

// Disabling a participant (abuse, an employee who left) makes their money wait: maturation,
// manual approval and payout runs pass over their rewards until they are enabled again, or an
// admin releases or reverses a reward. A disabled participant earns nothing new; the other side
// of the referral does. The ledger is verified after every test.

useLedgerCheckedApp();

const T = new Date('2026-03-02T10:00:00.000Z');
const DAY_MS = 86_400_000;
const daysAfter = (days: number) => new Date(T.getTime() + days * DAY_MS);
const usd = (amount: number) => ({ amount, currency: 'USD' });

const money = (pending: number, available: number, processing = 0, paid = 0) => ({
  currency: 'USD',
  pending,
  available,
  processing,
  paid,
});

/** A referrer and a friend they referred, signed up (at T) but not yet buying. */
async function referredFriend(programOverrides: Record<string, unknown> = {}) {
  t.setNow(T);
  const program = await makeProgram(t, {
    rewards: { referrer: usd(1000), referee: usd(500) },
    reward_hold_days: 7,
    ...programOverrides,
  });
  const referrer = await makeParticipant(t, program.id);
  const friend = unique('friend');
  const signup = await t.api(
    'POST',
    '/v1/events',
    event('signup', friend, { referral: { code: referrer.referral_code } }),
  );
  const referralId = signup.body.result.referral_ids[0] as string;
  const refereeId = (await t.api('GET', `/v1/referrals/${referralId}`)).body.referee_id as string;
  return { program, referrer, friend, referralId, refereeId };
}

/** The friend buys: the rewards it earned, by side. */
async function buy(friend: string) {
  const res = await t.api('POST', '/v1/events', event('purchase', friend, usd(10_000)));
  expect(res.body.result.outcome, JSON.stringify(res.body)).toBe('referral_qualified');
  const rewards: any[] = [];
  for (const id of res.body.result.reward_ids) rewards.push((await t.api('GET', `/v1/rewards/${id}`)).body);
  return {
    referrer: rewards.find((r) => r.side === 'referrer'),
    referee: rewards.find((r) => r.side === 'referee'),
    all: rewards,
  };
}

async function qualifiedOrder(programOverrides: Record<string, unknown> = {}) {
  const referred = await referredFriend(programOverrides);
  return { ...referred, rewards: await buy(referred.friend) };
}

async function setStatus(participantId: string, status: 'active' | 'disabled') {
  const res = await t.api('PATCH', `/v1/participants/${participantId}`, { status });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const rewardOf = async (id: string) => (await t.api('GET', `/v1/rewards/${id}`)).body;
const balancesOf = async (participantId: string) =>
  (await t.api('GET', `/v1/participants/${participantId}`)).body.balances;

async function approveByHand(id: string) {
  const res = await t.api('POST', `/v1/rewards/${id}/approve`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('maturation', () => {
  it("keeps a disabled referrer's reward pending past its hold, and matures it once they are enabled", async () => {
    const { referrer, refereeId, rewards } = await qualifiedOrder();
    await setStatus(referrer.id, 'disabled');

    await approveAllDue(t.store, daysAfter(8));

    expect(await rewardOf(rewards.referrer.id)).toMatchObject({ status: 'pending', approved_at: null });
    expect(await rewardOf(rewards.referee.id)).toMatchObject({ status: 'approved' });
    expect(await balancesOf(referrer.id)).toEqual([money(1000, 0)]);
    expect(await balancesOf(refereeId)).toEqual([money(0, 500)]);

    await setStatus(referrer.id, 'active');
    await approveAllDue(t.store, daysAfter(8));

    expect(await rewardOf(rewards.referrer.id)).toMatchObject({ status: 'approved' });
    expect(await balancesOf(referrer.id)).toEqual([money(0, 1000)]);
  });

  it("keeps a disabled referee's reward pending too", async () => {
    const { refereeId, rewards } = await qualifiedOrder();
    await setStatus(refereeId, 'disabled');

    await approveAllDue(t.store, daysAfter(8));

    expect(await rewardOf(rewards.referee.id)).toMatchObject({ status: 'pending' });
    expect(await rewardOf(rewards.referrer.id)).toMatchObject({ status: 'approved' });
  });

  it('matures a released reward of a disabled participant when its hold ends, not before', async () => {
    const { referrer, rewards } = await qualifiedOrder();
    await setStatus(referrer.id, 'disabled');
    const released = await t.api('POST', `/v1/rewards/${rewards.referrer.id}/release`);
    expect(released.body).toMatchObject({ status: 'pending', released_at: T.toISOString() });

    await approveAllDue(t.store, daysAfter(6.9));
    expect((await rewardOf(rewards.referrer.id)).status).toBe('pending');
    await approveAllDue(t.store, daysAfter(7));

    expect(await rewardOf(rewards.referrer.id)).toMatchObject({ status: 'approved' });
    expect(await balancesOf(referrer.id)).toEqual([money(0, 1000)]);
  });

  it('delivers no reward in kind of a disabled participant: no task opens until it is released', async () => {
    const custom = { ...usd(5000), kind: 'custom', description: 'Dinner for two' };
    const { referrer, rewards } = await qualifiedOrder({ rewards: { referrer: custom } });
    await setStatus(referrer.id, 'disabled');

    await approveAllDue(t.store, daysAfter(8));
    const tasks = async () =>
      (await t.api('GET', `/v1/fulfilment_tasks?reward_id=${rewards.referrer.id}`)).body.data;
    expect(await tasks()).toEqual([]);

    await t.api('POST', `/v1/rewards/${rewards.referrer.id}/release`);
    await approveAllDue(t.store, daysAfter(8));

    expect(await tasks()).toEqual([expect.objectContaining({ status: 'open' })]);
  });
});

describe('approval by hand', () => {
  it("refuses to approve a disabled participant's reward, writing nothing", async () => {
    const { referrer, rewards } = await qualifiedOrder();
    await setStatus(referrer.id, 'disabled');
    const before = await countRows(t.store.db);

    const res = await t.api('POST', `/v1/rewards/${rewards.referrer.id}/approve`);

    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'participant_disabled', type: 'unprocessable' });
    expect(res.body.error.message).toContain(`/v1/rewards/${rewards.referrer.id}/release`);
    expect(await countRows(t.store.db)).toEqual(before);
    expect(await balancesOf(referrer.id)).toEqual([money(1000, 0)]);
  });

  it('approves it once released, and audits who released it', async () => {
    const { referrer, rewards } = await qualifiedOrder();
    await setStatus(referrer.id, 'disabled');

    const released = await t.api('POST', `/v1/rewards/${rewards.referrer.id}/release`);
    expect(released.status, JSON.stringify(released.body)).toBe(200);
    const approved = await approveByHand(rewards.referrer.id);

    expect(approved).toMatchObject({ status: 'approved', released_at: T.toISOString() });
    expect(await balancesOf(referrer.id)).toEqual([money(0, 1000)]);
    const audit = (await t.api('GET', `/v1/audit_log?subject_id=${rewards.referrer.id}`)).body.data;
    expect(audit.map((e: { action: string }) => e.action)).toContain('reward.released');
    expect(audit.find((e: { action: string }) => e.action === 'reward.released')).toMatchObject({
      actor: expect.stringMatching(/^key_/),
      details: { participant_id: referrer.id, amount: 1000 },
    });
  });

  it('approves it again once the participant is enabled', async () => {
    const { referrer, rewards } = await qualifiedOrder();
    await setStatus(referrer.id, 'disabled');
    await setStatus(referrer.id, 'active');

    expect(await approveByHand(rewards.referrer.id)).toMatchObject({ status: 'approved', released_at: null });
  });
});

describe('release and reversal', () => {
  it('releases a reward once: a second release changes nothing', async () => {
    const { referrer, rewards } = await qualifiedOrder();
    await setStatus(referrer.id, 'disabled');
    const first = await t.api('POST', `/v1/rewards/${rewards.referrer.id}/release`);
    t.setNow(daysAfter(1));

    const second = await t.api('POST', `/v1/rewards/${rewards.referrer.id}/release`);

    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const audit = (await t.api('GET', `/v1/audit_log?subject_id=${rewards.referrer.id}`)).body.data;
    expect(audit.filter((e: { action: string }) => e.action === 'reward.released')).toHaveLength(1);
  });

  it('refuses to release a reward that no longer waits (reversed)', async () => {
    const { rewards } = await qualifiedOrder();
    await t.api('POST', `/v1/rewards/${rewards.referrer.id}/reverse`, { reason: 'fraud' });

    const res = await t.api('POST', `/v1/rewards/${rewards.referrer.id}/release`);

    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'reward_not_pending' });
    expect((await rewardOf(rewards.referrer.id)).released_at).toBeNull();
    expect((await t.api('POST', '/v1/rewards/rwd_missing/release')).status).toBe(404);
  });

  it("reverses a disabled participant's waiting reward: the money goes back to the program", async () => {
    const { referrer, rewards } = await qualifiedOrder();
    await setStatus(referrer.id, 'disabled');

    const reversed = await t.api('POST', `/v1/rewards/${rewards.referrer.id}/reverse`, { reason: 'fraud' });

    expect(reversed.body).toMatchObject({ status: 'reversed', reversed_amount: 1000 });
    expect(await balancesOf(referrer.id)).toEqual([money(0, 0)]);
  });
});

describe('payout runs', () => {
  /** Both rewards approved (available) before the referrer is disabled. */
  async function approvedOrder() {
    const order = await qualifiedOrder({ reward_hold_days: 0 });
    for (const reward of order.rewards.all) await approveByHand(reward.id);
    return order;
  }
  const run = (programId: string) => t.api('POST', '/v1/payouts', { program_id: programId, currency: 'USD' });
  const linesOf = async (payoutId: string) =>
    (await t.api('GET', `/v1/payouts/${payoutId}/items.csv`)).raw.body.trim().split('\n').slice(1);

  it("leaves a disabled participant's available balance out of a run", async () => {
    const { program, referrer, refereeId } = await approvedOrder();
    await setStatus(referrer.id, 'disabled');

    const payout = await run(program.id);

    expect(payout.body).toMatchObject({ amount: 500, item_count: 1 });
    const lines = await linesOf(payout.body.id);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(refereeId);
    expect(await balancesOf(referrer.id)).toEqual([money(0, 1000)]);
  });

  it('has nothing to pay when only a disabled participant has a balance', async () => {
    const { program, referrer, refereeId } = await approvedOrder();
    await setStatus(referrer.id, 'disabled');
    await setStatus(refereeId, 'disabled');
    const before = await countRows(t.store.db);

    const res = await run(program.id);

    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('nothing_to_pay');
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('pays a disabled participant only the rewards an admin released, and issues only those', async () => {
    const { program, referrer, rewards } = await approvedOrder();
    // A second friend's reward, approved too: 2,000 available in all.
    const second = await referAnother(referrer.referral_code);
    await approveByHand(second.referrer.id);
    await setStatus(referrer.id, 'disabled');
    await t.api('POST', `/v1/rewards/${rewards.referrer.id}/release`);

    const payout = await run(program.id);

    expect(payout.body).toMatchObject({ amount: 1500, item_count: 2 });
    expect(await balancesOf(referrer.id)).toEqual([money(0, 1000, 1000)]);
    expect((await t.api('POST', `/v1/payouts/${payout.body.id}/confirm`)).status).toBe(200);
    expect(await rewardOf(rewards.referrer.id)).toMatchObject({
      status: 'issued',
      payout_id: payout.body.id,
    });
    expect(await rewardOf(second.referrer.id)).toMatchObject({ status: 'approved', payout_id: null });
    expect(await balancesOf(referrer.id)).toEqual([money(0, 1000, 0, 1000)]);
  });

  it('never pays a disabled participant more than their balance, after a clawback of a paid reward', async () => {
    const { program, referrer, rewards } = await approvedOrder();
    const paid = await run(program.id);
    await t.api('POST', `/v1/payouts/${paid.body.id}/confirm`);
    await t.api('POST', `/v1/rewards/${rewards.referrer.id}/reverse`, { reason: 'fraud', amount: 400 });
    const second = await referAnother(referrer.referral_code);
    await approveByHand(second.referrer.id);
    await setStatus(referrer.id, 'disabled');
    await t.api('POST', `/v1/rewards/${second.referrer.id}/release`);

    const payout = await run(program.id);

    // 1,000 released, but the clawback of the paid reward took 400 of the available balance.
    expect(payout.body).toMatchObject({ amount: 600, item_count: 1 });
    expect(await balancesOf(referrer.id)).toEqual([money(0, 0, 600, 1000)]);
  });

  it('pays a participant enabled again all of their available balance', async () => {
    const { program, referrer } = await approvedOrder();
    await setStatus(referrer.id, 'disabled');
    await setStatus(referrer.id, 'active');

    const payout = await run(program.id);

    expect(payout.body).toMatchObject({ amount: 1500, item_count: 2 });
  });

  /** Another friend of the referrer signs up and buys: that purchase's rewards. */
  async function referAnother(code: string) {
    const friend = unique('friend');
    await t.api('POST', '/v1/events', event('signup', friend, { referral: { code } }));
    return buy(friend);
  }
});

describe('new rewards', () => {
  it('gives a disabled referrer nothing for a friend who buys later, and the friend their reward', async () => {
    const { referrer, friend, referralId } = await referredFriend({
      rewards: {
        referrer: usd(1000),
        referee: usd(500),
        milestones: [{ at_referral: 1, reward: usd(2000) }],
      },
    });
    await setStatus(referrer.id, 'disabled');

    const rewards = await buy(friend);

    expect(rewards.all.map((r) => ({ side: r.side, amount: r.amount }))).toEqual([
      { side: 'referee', amount: 500 },
    ]);
    const referral = (await t.api('GET', `/v1/referrals/${referralId}`)).body;
    expect(referral).toMatchObject({ status: 'qualified', unrewarded_reason: 'referrer_disabled' });
    expect(await balancesOf(referrer.id)).toEqual([]);
  });

  it('gives a disabled referee nothing, and the referrer their reward', async () => {
    const { referrer, friend, refereeId, referralId } = await referredFriend();
    await setStatus(refereeId, 'disabled');

    const rewards = await buy(friend);

    expect(rewards.all.map((r) => r.participant_id)).toEqual([referrer.id]);
    expect((await t.api('GET', `/v1/referrals/${referralId}`)).body.unrewarded_reason).toBe(
      'referee_disabled',
    );
  });
});
