import { expect } from 'vitest';
import type { TestApp } from './app.ts';
import { event, makeParticipant, makeProgram, unique } from './factories.ts';

// Shared by the reward-kinds test files: programs paying rewards in kind, the referrals that earn
// them, and what the outbox and the participant show. Each helper takes the file's app.

export const usd = (amount: number) => ({ amount, currency: 'USD' });
export const pts = (amount: number) => ({ amount, currency: 'PTS' });

export interface KindProgram {
  program: { id: string };
  /** A coupon pool and a gift-card pool of the program, named in rules as "@coupon_pool" and "@gift_pool". */
  pools: { coupon: string; gift_card: string };
}

/** Replaces "@coupon_pool" / "@gift_pool" anywhere in a body with the program's pool ids. */
export function withPools(body: unknown, pools: KindProgram['pools']): any {
  return JSON.parse(
    JSON.stringify(body)
      .replaceAll('"@coupon_pool"', `"${pools.coupon}"`)
      .replaceAll('"@gift_pool"', `"${pools.gift_card}"`),
  );
}

/**
 * A program paying these rewards. Pools need a program first, so it is created with cash rules,
 * given a coupon and a gift-card pool, then switched to `rewards` by PATCH.
 */
export async function kindProgram(
  t: TestApp,
  rewards: Record<string, unknown>,
  options: { hold?: number; lowStock?: number } = {},
): Promise<KindProgram> {
  const program = await makeProgram(t, {
    rewards: { referrer: usd(1000) },
    reward_hold_days: options.hold ?? 0,
  });
  const pools = { coupon: '', gift_card: '' };
  for (const kind of ['coupon', 'gift_card'] as const) {
    const threshold = options.lowStock === undefined ? {} : { low_stock_threshold: options.lowStock };
    const pool = await t.api('POST', '/v1/reward_pools', {
      program_id: program.id,
      kind,
      name: kind,
      ...threshold,
    });
    expect(pool.status, JSON.stringify(pool.body)).toBe(201);
    pools[kind] = pool.body.id;
  }
  const patched = await t.api('PATCH', `/v1/programs/${program.id}`, { rewards: withPools(rewards, pools) });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  return { program, pools };
}

export interface Referred {
  referrer: { id: string; referral_code: string };
  friend: string;
  /** The purchase's external_id, which refunds name. */
  order: string;
  referralId: string;
  /** The rewards the purchase earned, as GET /v1/rewards/{id} shows them. */
  rewards: any[];
}

/** A friend of `referrer` (a new participant if none) signs up and buys: the rewards it earned. */
export async function referAndBuy(
  t: TestApp,
  programId: string,
  options: { referrer?: Referred['referrer']; purchase?: Record<string, unknown>; amount?: number } = {},
): Promise<Referred> {
  const referrer = options.referrer ?? (await makeParticipant(t, programId));
  const friend = unique('friend');
  const signup = await t.api(
    'POST',
    '/v1/events',
    event('signup', friend, { referral: { code: referrer.referral_code } }),
  );
  expect(signup.status, JSON.stringify(signup.body)).toBe(201);
  const order = unique('order');
  const res = await t.api('POST', '/v1/events', {
    ...event('purchase', friend, usd(options.amount ?? 10_000)),
    external_id: order,
    ...options.purchase,
  });
  expect(res.body.result?.outcome, JSON.stringify(res.body)).toBe('referral_qualified');
  const rewards = [];
  for (const id of res.body.result.reward_ids) rewards.push(await rewardOf(t, id));
  return { referrer, friend, order, referralId: res.body.result.referral_ids[0], rewards };
}

export const rewardOf = async (t: TestApp, id: string) => (await t.api('GET', `/v1/rewards/${id}`)).body;

/** Approves a reward before its hold ends; the reward as answered. */
export async function approve(t: TestApp, id: string) {
  const res = await t.api('POST', `/v1/rewards/${id}/approve`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** The payloads of the outbox messages of a topic, oldest first, optionally only those matching. */
export async function outbox(t: TestApp, topic: string, match: Record<string, unknown> = {}) {
  const rows = await t.store.db
    .selectFrom('outbox')
    .select(['payload'])
    .where('topic', '=', topic)
    .orderBy('id')
    .execute();
  return rows
    .map((row) => JSON.parse(row.payload))
    .filter((payload) => Object.entries(match).every(([field, value]) => payload[field] === value));
}

/** A participant's cash balances and rewards in kind, as GET /v1/participants/{id} shows them. */
export async function holdingsOf(t: TestApp, participantId: string) {
  const { balances, rewards_in_kind } = (await t.api('GET', `/v1/participants/${participantId}`)).body;
  return { balances, inKind: rewards_in_kind };
}

export const inKind = (
  currency: string,
  held: Partial<Record<'pending' | 'due' | 'issued' | 'redeemed', number>>,
) => ({
  currency,
  pending: 0,
  due: 0,
  issued: 0,
  redeemed: 0,
  ...held,
});

export async function tasksOf(t: TestApp, query: string) {
  const res = await t.api('GET', `/v1/fulfilment_tasks?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as any[];
}

export const refund = (t: TestApp, bought: Referred, amount: number) =>
  t.api(
    'POST',
    '/v1/events',
    event('refund', bought.friend, { ...usd(amount), purchase_external_id: bought.order }),
  );

export async function addCodes(t: TestApp, poolId: string, codes: string[]) {
  const res = await t.api('POST', `/v1/reward_pools/${poolId}/codes`, { codes });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** A program paying these rewards (no hold unless asked), and one referred friend's first order. */
export async function qualify(
  t: TestApp,
  rewards: Record<string, unknown>,
  purchase: Record<string, unknown> = {},
  options: { hold?: number; lowStock?: number } = {},
) {
  const { program, pools } = await kindProgram(t, rewards, options);
  const bought = await referAndBuy(t, program.id, { purchase });
  return { program, pools, ...bought };
}

export const coupon = (extra: Record<string, unknown>) => ({ ...usd(1000), kind: 'coupon', ...extra });
export const custom = { ...usd(5000), kind: 'custom', description: 'Dinner for two' };
