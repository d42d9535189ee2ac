import { describe, expect, it } from 'vitest';
import { kindOf } from '../../../src/domain/reward-rules.ts';
import { kindProgram, pts, referAndBuy, usd, withPools } from '../../support/kind-fixtures.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';

// What an admin form or a script does: read a program's rules, change nothing, write them back.
// Every rule field must read back exactly as written, so such a round trip changes nothing: not
// the rules stored, and not the kind a reward is paid in.

useLedgerCheckedApp();

type Spec = Record<string, unknown>;

/** One spec of every shape a side can take: each kind, each way to deliver, fixed and shares. */
const SPECS: Record<string, Spec> = {
  cash: usd(1000),
  cash_booked_as_acquisition: { ...usd(1100), kind: 'cash', accounting_class: 'customer_acquisition_cost' },
  cash_share: { basis_points: 1000, currency: 'USD', min_amount: 500, max_amount: 5000 },
  credit: { ...usd(700), kind: 'credit' },
  credit_share: { basis_points: 250, currency: 'USD', kind: 'credit', accounting_class: 'marketing_expense' },
  coupon_from_pool: { ...usd(1500), kind: 'coupon', pool_id: '@coupon_pool' },
  coupon_from_pattern: { ...usd(1500), kind: 'coupon', code_pattern: 'FRIEND-{8}' },
  coupon_share: {
    basis_points: 1500,
    currency: 'USD',
    kind: 'coupon',
    code_pattern: 'PCT-{6}',
    max_amount: 3000,
  },
  gift_card_from_pool: { ...usd(2500), kind: 'gift_card', pool_id: '@gift_pool' },
  gift_card_by_task: { ...usd(3000), kind: 'gift_card', description: '$30 card' },
  points: { ...pts(500), kind: 'points' },
  points_without_kind: pts(400),
  custom: {
    ...usd(20000),
    kind: 'custom',
    description: 'Weekend for two',
    accounting_class: 'contra_revenue',
  },
};

const isFixed = (spec: Spec) => spec.amount !== undefined;

/** Each shape on the referrer's side, in a tier and (when fixed) as a milestone; the referee gets the next. */
const names = Object.keys(SPECS);
const KIND_RULES = names.map((name, i) => {
  const spec = SPECS[name] as Spec;
  const referee = SPECS[names[(i + 1) % names.length] as string] as Spec;
  return [
    name,
    {
      referrer: spec,
      referee,
      referrer_tiers: [{ from_referral: 2, reward: spec }],
      milestones: isFixed(spec) ? [{ at_referral: 1, reward: spec }] : [],
    },
  ] as const;
});

const rulesOf = (program: any) => ({
  rewards: program.rewards,
  qualification: program.qualification,
  caps: program.caps,
});

/** GET the rules, PATCH them back as read: the rules after, as answered and as stored. */
async function roundTrip(programId: string) {
  const before = (await t.api('GET', `/v1/programs/${programId}`)).body;
  const patched = await t.api('PATCH', `/v1/programs/${programId}`, rulesOf(before));
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  const after = (await t.api('GET', `/v1/programs/${programId}`)).body;
  const stored = await t.store.db
    .selectFrom('program_rules')
    .select(['version', 'rules'])
    .where('program_id', '=', programId)
    .orderBy('version')
    .execute();
  return { before, patched: patched.body, after, stored };
}

describe('program rules read back as written', () => {
  it.each(KIND_RULES)('round-trips %s on every side unchanged', async (_name, rewards) => {
    const { program, pools } = await kindProgram(t, rewards);
    const written = withPools(rewards, pools);

    const { before, patched, after, stored } = await roundTrip(program.id);

    expect(before.rewards).toEqual(written);
    expect(JSON.stringify(rulesOf(patched))).toBe(JSON.stringify(rulesOf(before)));
    expect(JSON.stringify(rulesOf(after))).toBe(JSON.stringify(rulesOf(before)));
    const [, written_version, round_tripped] = stored;
    expect(round_tripped?.rules).toBe(written_version?.rules);
  });

  it.each(KIND_RULES)('pays %s in the kinds written after a round trip', async (_name, rewards) => {
    const { program } = await kindProgram(t, rewards);
    await roundTrip(program.id);

    const earned = (await referAndBuy(t, program.id)).rewards;

    const expected = [
      { side: 'referrer', kind: kindOf(rewards.referrer as { currency: string }) },
      ...rewards.milestones.map((m) => ({ side: 'referrer_milestone', kind: kindOf(m.reward as never) })),
      { side: 'referee', kind: kindOf(rewards.referee as { currency: string }) },
    ];
    const bySide = (a: { side: string }, b: { side: string }) => a.side.localeCompare(b.side);
    expect(earned.map((r) => ({ side: r.side, kind: r.kind })).sort(bySide)).toEqual(expected.sort(bySide));
  });

  it("round-trips a milestone gift card and pays it as one, not as cash (the issue's case)", async () => {
    const milestone = { ...usd(3000), kind: 'gift_card', description: '$30 card' };
    const { program } = await kindProgram(t, {
      referrer: usd(1000),
      milestones: [{ at_referral: 1, reward: milestone }],
    });

    const { before } = await roundTrip(program.id);
    const { rewards } = await referAndBuy(t, program.id);

    expect(before.rewards.milestones).toEqual([{ at_referral: 1, reward: milestone }]);
    expect(rewards.find((r) => r.side === 'referrer_milestone')).toMatchObject({
      kind: 'gift_card',
      amount: 3000,
      fulfilment: { method: 'task', description: '$30 card' },
    });
  });

  it('round-trips referee points exclusive of loyalty points, either way', async () => {
    for (const exclusive of [true, false]) {
      const referee = { ...pts(500), kind: 'points', exclusive_of_loyalty: exclusive };
      const { program } = await kindProgram(t, { referrer: usd(1000), referee });
      const { before, after } = await roundTrip(program.id);
      expect(before.rewards.referee).toEqual(referee);
      expect(after.rewards).toEqual(before.rewards);
    }
  });

  it('round-trips every qualification condition and cap', async () => {
    const rules = {
      rewards: {
        referrer: usd(1000),
        referee: { basis_points: 500, currency: 'USD', min_amount: 100 },
        referrer_tiers: [
          { from_referral: 3, reward: usd(1500) },
          { from_referral: 10, reward: { ...usd(2000), kind: 'credit' } },
        ],
        milestones: [
          { at_referral: 5, reward: { ...usd(5000), kind: 'coupon', code_pattern: 'BONUS-{10}' } },
          {
            at_referral: 20,
            reward: { ...pts(9000), kind: 'points', accounting_class: 'marketing_expense' },
          },
        ],
      },
      qualification: {
        event: 'custom',
        event_name: 'trial_converted',
        purchase_number: 1,
        min_order: usd(2500),
        new_customers_only: true,
        within_days: 45,
        referrer_segments: ['vip', 'partners'],
        referee_segments: ['staff-2'],
      },
      caps: {
        referrer_monthly: { count: 10, amount: usd(20000) },
        referrer_lifetime: { count: 100 },
        referee_lifetime: { amount: usd(3000) },
        program_monthly_budget: usd(500000),
      },
    };
    const { program } = await kindProgram(t, { referrer: usd(1000) });
    const set = await t.api('PATCH', `/v1/programs/${program.id}`, rules);
    expect(set.status, JSON.stringify(set.body)).toBe(200);

    const { before, after, stored } = await roundTrip(program.id);

    expect(rulesOf(before)).toEqual(rules);
    expect(JSON.stringify(rulesOf(after))).toBe(JSON.stringify(rulesOf(before)));
    expect(stored.at(-1)?.rules).toBe(stored.at(-2)?.rules);
  });

  it('round-trips a purchase-number rule with one side null and no caps', async () => {
    const rules = {
      rewards: {
        referrer: null,
        referee: { ...usd(500), kind: 'credit' },
        referrer_tiers: [],
        milestones: [],
      },
      qualification: {
        event: 'purchase',
        event_name: null,
        purchase_number: 3,
        min_order: null,
        new_customers_only: false,
        within_days: null,
        referrer_segments: [],
        referee_segments: [],
      },
      caps: {
        referrer_monthly: null,
        referrer_lifetime: null,
        referee_lifetime: null,
        program_monthly_budget: null,
      },
    };
    const { program } = await kindProgram(t, { referrer: usd(1000) });
    expect((await t.api('PATCH', `/v1/programs/${program.id}`, rules)).status).toBe(200);

    const { before, after, stored } = await roundTrip(program.id);

    expect(rulesOf(before)).toEqual(rules);
    expect(rulesOf(after)).toEqual(rules);
    expect(stored.at(-1)?.rules).toBe(stored.at(-2)?.rules);
  });
});
