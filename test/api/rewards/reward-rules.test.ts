import { describe, expect, it } from 'vitest';
import { event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';
import { countRows } from '../../support/tables.ts';

useLedgerCheckedApp();

const usd = (amount: number) => ({ amount, currency: 'USD' });
const postEvent = (body: unknown) => t.api('POST', '/v1/events', body);

/** A program with these rules and one referrer in it. */
async function programWith(rules: Record<string, unknown>) {
  const program = await makeProgram(t, { rewards: { referrer: usd(1000), referee: usd(500) }, ...rules });
  const referrer = await makeParticipant(t, program.id);
  return { program, referrer };
}

/** A new friend of the referrer signs up with their code; the friend's customer id. */
async function referFriend(code: string) {
  const friend = unique('friend');
  const signup = await postEvent(event('signup', friend, { referral: { code } }));
  expect(signup.status).toBe(201);
  return { friend, signup: signup.body };
}

const buy = (customer: string, amount = 10_000, currency = 'USD') =>
  postEvent(event('purchase', customer, { amount, currency }));

async function rewardsOfEvent(body: { result: { reward_ids: string[] } }) {
  const rewards = [];
  for (const id of body.result.reward_ids) rewards.push((await t.api('GET', `/v1/rewards/${id}`)).body);
  return rewards.map((r) => ({ side: r.side, amount: r.amount, currency: r.currency }));
}

const referralOf = async (body: { result: { referral_ids: string[] } }) =>
  (await t.api('GET', `/v1/referrals/${body.result.referral_ids[0]}`)).body;

/** Refers a friend who then buys; the purchase's answer. */
async function referAndBuy(code: string, amount = 10_000) {
  const { friend } = await referFriend(code);
  return (await buy(friend, amount)).body;
}

describe('what a referral earns', () => {
  it('pays a share of the order, rounded, within its bounds', async () => {
    const share = { basis_points: 1000, currency: 'USD', min_amount: 300, max_amount: 2000 };
    const { referrer } = await programWith({ rewards: { referrer: share, referee: null } });

    expect(await rewardsOfEvent(await referAndBuy(referrer.referral_code, 12_345))).toEqual([
      { side: 'referrer', ...usd(1235) },
    ]);
    expect(await rewardsOfEvent(await referAndBuy(referrer.referral_code, 1000))).toEqual([
      { side: 'referrer', ...usd(300) },
    ]);
    expect(await rewardsOfEvent(await referAndBuy(referrer.referral_code, 99_000))).toEqual([
      { side: 'referrer', ...usd(2000) },
    ]);
  });

  it('qualifies an order in another currency without a share reward, and says why', async () => {
    const share = { basis_points: 1000, currency: 'USD' };
    const { referrer } = await programWith({ rewards: { referrer: usd(1000), referee: share } });
    const { friend } = await referFriend(referrer.referral_code);

    const res = await buy(friend, 5000, 'EUR');

    expect(res.body.result.outcome).toBe('referral_qualified');
    expect(await rewardsOfEvent(res.body)).toEqual([{ side: 'referrer', ...usd(1000) }]);
    expect(await referralOf(res.body)).toMatchObject({
      status: 'qualified',
      unrewarded_reason: 'order_currency_mismatch',
    });
  });

  it("escalates the referrer's reward by tier and adds a milestone bonus", async () => {
    const { referrer } = await programWith({
      rewards: {
        referrer: usd(1000),
        referee: null,
        referrer_tiers: [{ from_referral: 3, reward: usd(2000) }],
        milestones: [{ at_referral: 2, reward: usd(5000) }],
      },
    });

    const earned = [];
    for (let i = 0; i < 4; i++) earned.push(await rewardsOfEvent(await referAndBuy(referrer.referral_code)));

    expect(earned).toEqual([
      [{ side: 'referrer', ...usd(1000) }],
      [
        { side: 'referrer', ...usd(1000) },
        { side: 'referrer_milestone', ...usd(5000) },
      ],
      [{ side: 'referrer', ...usd(2000) }],
      [{ side: 'referrer', ...usd(2000) }],
    ]);
  });
});

describe('what qualifies a referral', () => {
  it('qualifies at sign-up when the program says so', async () => {
    const { referrer } = await programWith({ qualification: { event: 'signup' } });

    const { signup } = await referFriend(referrer.referral_code);

    expect(signup.result.outcome).toBe('referral_qualified');
    expect(await rewardsOfEvent(signup)).toEqual([
      { side: 'referrer', ...usd(1000) },
      { side: 'referee', ...usd(500) },
    ]);
  });

  it('waits for an order of at least the minimum', async () => {
    const { referrer } = await programWith({ qualification: { min_order: usd(5000) } });
    const { friend } = await referFriend(referrer.referral_code);

    const small = await buy(friend, 4999);
    const big = await buy(friend, 5000);

    expect(small.body.result).toMatchObject({ outcome: 'not_qualified', reason: 'below_minimum_order' });
    expect(big.body.result.outcome).toBe('referral_qualified');
  });

  it("qualifies on the referee's Nth purchase", async () => {
    const { referrer } = await programWith({ qualification: { purchase_number: 2 } });
    const { friend } = await referFriend(referrer.referral_code);

    const first = await buy(friend);
    const second = await buy(friend);

    expect(first.body.result).toMatchObject({ outcome: 'not_qualified', reason: 'not_qualifying_purchase' });
    expect(second.body.result.outcome).toBe('referral_qualified');
  });

  it('rejects a referee who bought before being referred, when only new customers count', async () => {
    const { referrer } = await programWith({ qualification: { new_customers_only: true } });
    const friend = unique('friend');
    t.setNow(new Date(Date.now() - 60_000));
    await buy(friend);
    t.setNow(null);
    await postEvent(event('signup', friend, { referral: { code: referrer.referral_code } }));

    const res = await buy(friend);

    expect(res.body.result).toMatchObject({ outcome: 'not_qualified', reason: 'existing_customer' });
    const referrals = (await t.api('GET', `/v1/referrals?referrer_id=${referrer.id}`)).body.data;
    expect(referrals).toEqual([
      expect.objectContaining({ status: 'rejected', rejection_reason: 'existing_customer' }),
    ]);
  });
});

describe('caps and budgets', () => {
  it('stops rewarding the referrer past their monthly cap, still rewards the friend, and starts again next month', async () => {
    const { referrer } = await programWith({ caps: { referrer_monthly: { count: 2 } } });
    t.setNow(new Date('2032-05-20T00:00:00.000Z'));
    await referAndBuy(referrer.referral_code);
    await referAndBuy(referrer.referral_code);

    const third = await referAndBuy(referrer.referral_code);
    expect(await rewardsOfEvent(third)).toEqual([{ side: 'referee', ...usd(500) }]);
    expect(await referralOf(third)).toMatchObject({
      status: 'qualified',
      unrewarded_reason: 'referrer_cap_reached',
    });

    t.setNow(new Date('2032-06-01T00:00:00.000Z'));
    expect((await rewardsOfEvent(await referAndBuy(referrer.referral_code))).map((r) => r.side)).toEqual([
      'referrer',
      'referee',
    ]);
  });

  it("stops rewarding anyone once the program's monthly budget would be passed", async () => {
    const { program, referrer } = await programWith({ caps: { program_monthly_budget: usd(3000) } });
    await referAndBuy(referrer.referral_code);
    await referAndBuy(referrer.referral_code);

    const third = await referAndBuy(referrer.referral_code);

    expect(third.result).toMatchObject({ outcome: 'referral_qualified', reward_ids: [] });
    expect(await referralOf(third)).toMatchObject({ unrewarded_reason: 'program_budget_exhausted' });
    const { data } = (await t.api('GET', `/v1/rewards?participant_id=${referrer.id}`)).body;
    expect(data.map((r: { program_id: string }) => r.program_id)).toEqual([program.id, program.id]);
  });
});

describe('versioned rules', () => {
  it('pays a referral under the rules it was made with, and new referrals under the new ones', async () => {
    const { program, referrer } = await programWith({});
    const before = await referFriend(referrer.referral_code);

    const patched = await t.api('PATCH', `/v1/programs/${program.id}`, {
      rewards: { referrer: usd(3000), referee: null },
    });
    expect(patched.body.rules_version).toBe(2);
    const after = await referFriend(referrer.referral_code);

    const old = await buy(before.friend);
    const fresh = await buy(after.friend);
    expect(await rewardsOfEvent(old.body)).toEqual([
      { side: 'referrer', ...usd(1000) },
      { side: 'referee', ...usd(500) },
    ]);
    expect(await rewardsOfEvent(fresh.body)).toEqual([{ side: 'referrer', ...usd(3000) }]);
    expect((await referralOf(old.body)).rules_version).toBe(1);
    expect((await referralOf(fresh.body)).rules_version).toBe(2);
  });

  it('keeps the version when a PATCH leaves the rules alone', async () => {
    const { program } = await programWith({});

    const res = await t.api('PATCH', `/v1/programs/${program.id}`, { name: 'Renamed' });

    expect(res.body.rules_version).toBe(1);
  });
});

describe('rules that make no sense are refused, naming the field', () => {
  const share = (extra: Record<string, unknown> = {}) => ({ basis_points: 1000, currency: 'USD', ...extra });

  it.each([
    [
      'amount and basis_points',
      { rewards: { referrer: { ...usd(100), basis_points: 10 } } },
      'invalid_value',
      'rewards.referrer.amount',
    ],
    [
      'neither amount nor basis_points',
      { rewards: { referee: { currency: 'USD' } } },
      'missing_field',
      'rewards.referee.amount',
    ],
    [
      '0 basis points',
      { rewards: { referrer: share({ basis_points: 0 }) } },
      'value_too_small',
      'rewards.referrer.basis_points',
    ],
    [
      'more than 100%',
      { rewards: { referrer: share({ basis_points: 10_001 }) } },
      'value_too_large',
      'rewards.referrer.basis_points',
    ],
    [
      'a max below the min',
      { rewards: { referrer: share({ min_amount: 500, max_amount: 400 }) } },
      'invalid_value',
      'rewards.referrer.max_amount',
    ],
    [
      'a negative min',
      { rewards: { referrer: share({ min_amount: -1 }) } },
      'amount_negative',
      'rewards.referrer.min_amount',
    ],
    [
      'bounds on a fixed reward',
      { rewards: { referrer: { ...usd(100), max_amount: 5 } } },
      'invalid_value',
      'rewards.referrer.max_amount',
    ],
    [
      'tiers out of order',
      {
        rewards: {
          referrer: usd(1),
          referrer_tiers: [
            { from_referral: 5, reward: usd(2) },
            { from_referral: 3, reward: usd(3) },
          ],
        },
      },
      'invalid_value',
      'rewards.referrer_tiers.1.from_referral',
    ],
    [
      'a tier from 0',
      { rewards: { referrer_tiers: [{ from_referral: 0, reward: usd(2) }] } },
      'value_too_small',
      'rewards.referrer_tiers.0.from_referral',
    ],
    [
      'a milestone paying a share',
      { rewards: { referrer: usd(1), milestones: [{ at_referral: 3, reward: share() }] } },
      'missing_field',
      'rewards.milestones.0.reward.amount',
    ],
    [
      'purchase_number 0',
      { qualification: { purchase_number: 0 } },
      'value_too_small',
      'qualification.purchase_number',
    ],
    [
      'a share paid at sign-up',
      { rewards: { referrer: share() }, qualification: { event: 'signup' } },
      'invalid_value',
      'rewards.referrer.basis_points',
    ],
    ['an empty cap', { caps: { referrer_monthly: {} } }, 'missing_field', 'caps.referrer_monthly.count'],
    [
      'a cap of 0 rewards',
      { caps: { referrer_lifetime: { count: 0 } } },
      'value_too_small',
      'caps.referrer_lifetime.count',
    ],
    [
      'a budget in an unknown currency',
      { caps: { program_monthly_budget: { amount: 5, currency: 'XYZ' } } },
      'unknown_currency',
      'caps.program_monthly_budget.currency',
    ],
  ])('%s', async (_case, rules, code, param) => {
    const body = {
      name: 'Rules',
      landing_url: 'https://example.com/',
      rewards: { referrer: usd(1000) },
      ...rules,
    };
    const before = await countRows(t.store.db);

    const created = await t.api('POST', '/v1/programs', body);

    expect(created.status).toBe(400);
    expect(created.body.error).toMatchObject({ code, param });
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('refuses the same on PATCH and leaves the rules and their version as they were', async () => {
    const { program } = await programWith({});

    const res = await t.api('PATCH', `/v1/programs/${program.id}`, {
      qualification: { purchase_number: 101 },
    });

    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe('qualification.purchase_number');
    const after = (await t.api('GET', `/v1/programs/${program.id}`)).body;
    expect(after).toMatchObject({ rules_version: 1, qualification: { purchase_number: 1 } });
  });
});
