import { describe, expect, it } from 'vitest';
import type { Balance } from '../../src/domain/ledger.ts';
import { event, programBody, unique } from '../support/factories.ts';
import { created, post, type Reply, ROUNDS, times, twoServers, usd } from '../support/races.ts';

// Money moved by requests that two `vouch serve` processes on one database answer at the same time.
// On SQLite the processes take turns at the write lock; on PostgreSQL the transactions interleave.

const statuses = (replies: Reply[]) => replies.map((r) => r.status).sort((a, b) => a - b);
const errorCodes = (replies: Reply[]) => replies.filter((r) => r.status >= 400).map((r) => r.body.error.code);

const ORDER = 10_000;

type Money = Omit<Balance, 'currency'>;
const money = (balance: Partial<Money> = {}) => ({
  currency: 'USD',
  pending: 0,
  available: 0,
  processing: 0,
  paid: 0,
  ...balance,
});

interface Reward {
  id: string;
  participant_id: string;
  amount: number;
  reversed_amount: number;
  status: string;
  payout_id: string | null;
}

interface Order {
  programId: string;
  customer: string;
  /** The purchase's external_id, which its refunds name. */
  purchase: string;
  /** What it earned: the referrer's reward and the referee's. */
  rewards: Reward[];
}

const servers = twoServers('money-races');
const { api, race } = servers;

/** A fresh program, a referrer, a friend they referred, and the friend's qualifying order. */
async function qualifiedOrder(): Promise<Order> {
  const program = await created(
    api('POST', '/v1/programs', programBody({ rewards: { referrer: usd(1000), referee: usd(500) } })),
  );
  const referrer = await created(
    api('POST', '/v1/participants', { program_id: program.id, external_id: unique('referrer') }),
  );
  const customer = unique('friend');
  const signup = event('signup', customer, { referral: { code: referrer.referral_code } });
  await created(api('POST', '/v1/events', signup));
  const purchase = await created(api('POST', '/v1/events', event('purchase', customer, usd(ORDER))));
  expect(purchase.result.outcome).toBe('referral_qualified');
  const { data } = (await api('GET', `/v1/rewards?referral_id=${purchase.result.referral_ids[0]}`)).body;
  expect(data).toHaveLength(2);
  return { programId: program.id, customer, purchase: purchase.external_id, rewards: data };
}

const refund = (order: Order, amount: number) =>
  event('refund', order.customer, { ...usd(amount), purchase_external_id: order.purchase });

const payoutRun = (order: Order) => ({ program_id: order.programId, currency: 'USD' });
const earned = (order: Order) => order.rewards.reduce((total, r) => total + r.amount, 0);

/**
 * Approves every reward of the order before its hold ends. Programs keep the default 30-day hold
 * rather than none, so that the servers' own maturation sweep never approves one behind a test.
 */
async function approveAll(order: Order) {
  for (const reward of order.rewards) {
    expect((await api('POST', `/v1/rewards/${reward.id}/approve`)).status).toBe(200);
  }
}

const rewardNow = async (id: string): Promise<Reward> => (await api('GET', `/v1/rewards/${id}`)).body;

async function balanceOf(participantId: string) {
  const { balances } = (await api('GET', `/v1/participants/${participantId}`)).body;
  return balances.find((b: Balance) => b.currency === 'USD') ?? money();
}

async function refundsStored(order: Order): Promise<number> {
  const row = await servers.store.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('type', '=', 'refund')
    .where('purchase_external_id', '=', order.purchase)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function expectRewardsReversed(order: Order) {
  for (const { id, amount } of order.rewards) {
    expect(await rewardNow(id)).toMatchObject({ status: 'reversed', reversed_amount: amount });
  }
}

async function expectFullyReversed(order: Order) {
  await expectRewardsReversed(order);
  for (const { participant_id } of order.rewards) expect(await balanceOf(participant_id)).toEqual(money());
}

/** Each participant's balances add up to what is left of their reward: no cent lost or created. */
async function expectBalancesMatchRewards(order: Order) {
  for (const { id, participant_id } of order.rewards) {
    const reward = await rewardNow(id);
    const { pending, available, processing, paid } = await balanceOf(participant_id);
    expect(pending + available + processing + paid).toBe(reward.amount - reward.reversed_amount);
  }
}

describe('money moved by two server processes racing on one database', () => {
  it('accepts 8 partial refunds sent at once that add up to the order, and reverses the rewards exactly', async () => {
    const order = await qualifiedOrder();
    const parts = [1_111, 1_234, 999, 2_000, 1_656, 1_000, 1_500, 500];
    expect(parts.reduce((a, b) => a + b)).toBe(ORDER);

    const replies = await race(parts.map((amount) => post('/v1/events', refund(order, amount))));

    expect(statuses(replies)).toEqual(times(8, () => 201));
    expect(replies.map((r) => r.body.result.outcome)).toEqual(times(8, () => 'rewards_reversed'));
    await expectFullyReversed(order);
  });

  it('accepts only the refunds sent at once that fit in the order, and never reverses more than the reward', async () => {
    const order = await qualifiedOrder();

    const replies = await race(times(8, () => post('/v1/events', refund(order, 2_000))));

    expect(statuses(replies)).toEqual([...times(5, () => 201), ...times(3, () => 422)]);
    expect(errorCodes(replies)).toEqual(times(3, () => 'refund_exceeds_purchase'));
    expect(await refundsStored(order)).toBe(5);
    await expectFullyReversed(order);
  });

  it('reverses once for the same refund sent 10 times at once', async () => {
    const order = await qualifiedOrder();
    const quarter = refund(order, ORDER / 4);

    const replies = await race(times(10, () => post('/v1/events', quarter)));

    expect(statuses(replies)).toEqual([...times(9, () => 200), 201]);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(await refundsStored(order)).toBe(1);
    for (const { id, amount, participant_id } of order.rewards) {
      expect(await rewardNow(id)).toMatchObject({ status: 'pending', reversed_amount: amount / 4 });
      expect(await balanceOf(participant_id)).toEqual(money({ pending: (amount * 3) / 4 }));
    }
  });

  it('loses and creates no cent when a payout run and a full refund race, and a paid reward clawed back leaves a debt', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const order = await qualifiedOrder();
      await approveAll(order);

      const [run, refunded] = (await race(
        [post('/v1/payouts', payoutRun(order)), post('/v1/events', refund(order, ORDER))],
        round,
      )) as [Reply, Reply];

      expect(refunded.status).toBe(201);
      expect(refunded.body.result.outcome).toBe('rewards_reversed');
      await expectRewardsReversed(order);
      await expectBalancesMatchRewards(order);
      if (run.status !== 201) {
        // The refund came first: nothing was left to pay, and that is the only way a run may fail.
        expect(run.body.error.code).toBe('nothing_to_pay');
        continue;
      }
      // The run read the balances before the refund: it pays both rewards whole.
      expect(run.body.amount).toBe(earned(order));
      expect((await api('POST', `/v1/payouts/${run.body.id}/confirm`)).status).toBe(200);
      for (const { amount, participant_id } of order.rewards) {
        expect(await balanceOf(participant_id)).toEqual(money({ available: -amount, paid: amount }));
      }
    }
  });

  it('opens one payout run of the payout requests sent at once, and holds each balance in processing once', async () => {
    const order = await qualifiedOrder();
    await approveAll(order);

    const replies = await race(times(6, () => post('/v1/payouts', payoutRun(order))));

    expect(statuses(replies)).toEqual([201, ...times(5, () => 409)]);
    expect(errorCodes(replies)).toEqual(times(5, () => 'payout_in_progress'));
    const runs = (await api('GET', `/v1/payouts?program_id=${order.programId}`)).body.data;
    expect(runs).toEqual([
      expect.objectContaining({ status: 'pending', amount: earned(order), item_count: 2 }),
    ]);
    for (const { amount, participant_id } of order.rewards) {
      expect(await balanceOf(participant_id)).toEqual(money({ processing: amount }));
    }
  });

  it('settles a run once when its confirm and cancel arrive at once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const order = await qualifiedOrder();
      await approveAll(order);
      const run = await created(api('POST', '/v1/payouts', payoutRun(order)));

      const replies = await race(
        [post(`/v1/payouts/${run.id}/confirm`), post(`/v1/payouts/${run.id}/cancel`)],
        round,
      );

      expect(statuses(replies)).toEqual([200, 409]);
      expect(errorCodes(replies)).toEqual(['payout_not_pending']);
      const paid = replies[0]?.status === 200;
      expect((await api('GET', `/v1/payouts/${run.id}`)).body.status).toBe(paid ? 'paid' : 'canceled');
      for (const { id, amount, participant_id } of order.rewards) {
        expect(await rewardNow(id)).toMatchObject(
          paid ? { status: 'issued', payout_id: run.id } : { status: 'approved', payout_id: null },
        );
        expect(await balanceOf(participant_id)).toEqual(
          money(paid ? { paid: amount } : { available: amount }),
        );
      }
    }
  });

  it('approves a reward once when approvals of it arrive at once', async () => {
    const order = await qualifiedOrder();
    const [reward] = order.rewards as [Reward];

    const replies = await race(times(6, () => post(`/v1/rewards/${reward.id}/approve`)));

    expect(statuses(replies)).toEqual([200, ...times(5, () => 409)]);
    expect(errorCodes(replies)).toEqual(times(5, () => 'reward_not_pending'));
    expect(await balanceOf(reward.participant_id)).toEqual(money({ available: reward.amount }));
  });
});
