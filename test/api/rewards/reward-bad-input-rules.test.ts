import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../src/lib/errors.ts';
import { programBody } from '../../support/factories.ts';
import {
  expectRefused,
  ids,
  type Method,
  send,
  t,
  usd,
  useRewardFixtures,
} from '../../support/reward-fixtures.ts';

// Bad program rules and payout settings, on create and on PATCH: every refusal has the documented
// shape, status, code and param, and writes nothing.

useRewardFixtures();

describe('program rules and payout settings', () => {
  type Body = Record<string, unknown>;
  const referee = (spec: unknown) => ({ rewards: { referrer: usd(1000), referee: spec } });
  const share = (extra: Body = {}) => referee({ basis_points: 1000, currency: 'USD', ...extra });
  const tier = (from_referral: unknown, reward: unknown = usd(1500)) => ({ from_referral, reward });
  const milestone = (at_referral: unknown, reward: unknown = usd(10_000)) => ({ at_referral, reward });
  const tiers = (...items: unknown[]) => ({ rewards: { referrer: usd(1000), referrer_tiers: items } });
  const milestones = (...items: unknown[]) => ({ rewards: { referrer: usd(1000), milestones: items } });

  // [case, fields, code, param]; each is sent on create (over a valid program) and as a PATCH.
  const rows: [string, Body, ErrorCode, string][] = [
    ['a negative hold', { reward_hold_days: -1 }, 'value_too_small', 'reward_hold_days'],
    ['a hold over a year', { reward_hold_days: 366 }, 'value_too_large', 'reward_hold_days'],
    ['a hold as a string', { reward_hold_days: '5' }, 'invalid_type', 'reward_hold_days'],
    ['a fractional hold', { reward_hold_days: 1.5 }, 'invalid_type', 'reward_hold_days'],
    ['a null hold', { reward_hold_days: null }, 'invalid_type', 'reward_hold_days'],
    [
      'a lower-case minimum currency',
      { payout_minimums: { usd: 5 } },
      'unknown_currency',
      'payout_minimums.usd',
    ],
    [
      'an unknown minimum currency',
      { payout_minimums: { XYZ: 5 } },
      'unknown_currency',
      'payout_minimums.XYZ',
    ],
    ['a negative minimum', { payout_minimums: { USD: -1 } }, 'amount_negative', 'payout_minimums.USD'],
    ['a fractional minimum', { payout_minimums: { USD: 1.5 } }, 'amount_not_integer', 'payout_minimums.USD'],
    ['a minimum as a string', { payout_minimums: { USD: '5' } }, 'invalid_type', 'payout_minimums.USD'],
    ['a huge minimum', { payout_minimums: { USD: 1e13 } }, 'amount_too_large', 'payout_minimums.USD'],
    ['minimums as a list', { payout_minimums: [5000] }, 'invalid_type', 'payout_minimums'],
    ['minimums as a number', { payout_minimums: 5000 }, 'invalid_type', 'payout_minimums'],
    [
      'a lower-case threshold currency',
      { tax_reporting_thresholds: { usd: 60_000 } },
      'unknown_currency',
      'tax_reporting_thresholds.usd',
    ],
    [
      'a negative threshold',
      { tax_reporting_thresholds: { USD: -1 } },
      'amount_negative',
      'tax_reporting_thresholds.USD',
    ],
    [
      'a fractional threshold',
      { tax_reporting_thresholds: { USD: 0.5 } },
      'amount_not_integer',
      'tax_reporting_thresholds.USD',
    ],
    [
      'a threshold as a string',
      { tax_reporting_thresholds: { USD: '60000' } },
      'invalid_type',
      'tax_reporting_thresholds.USD',
    ],
    [
      'a negative monthly cap amount',
      { caps: { referrer_monthly: { amount: usd(-1) } } },
      'amount_negative',
      'caps.referrer_monthly.amount.amount',
    ],
    [
      'a fractional monthly cap amount',
      { caps: { referrer_monthly: { amount: usd(1.5) } } },
      'amount_not_integer',
      'caps.referrer_monthly.amount.amount',
    ],
    [
      'a lower-case cap currency',
      { caps: { referrer_monthly: { amount: { amount: 100, currency: 'usd' } } } },
      'unknown_currency',
      'caps.referrer_monthly.amount.currency',
    ],
    ['an empty cap', { caps: { referrer_monthly: {} } }, 'missing_field', 'caps.referrer_monthly.count'],
    [
      'a zero lifetime count',
      { caps: { referrer_lifetime: { count: 0 } } },
      'value_too_small',
      'caps.referrer_lifetime.count',
    ],
    [
      'a lifetime count as a string',
      { caps: { referrer_lifetime: { count: '5' } } },
      'invalid_type',
      'caps.referrer_lifetime.count',
    ],
    [
      'a budget without currency',
      { caps: { program_monthly_budget: { amount: 100 } } },
      'missing_field',
      'caps.program_monthly_budget.currency',
    ],
    [
      'a negative budget',
      { caps: { program_monthly_budget: usd(-100) } },
      'amount_negative',
      'caps.program_monthly_budget.amount',
    ],
    ['an unknown cap', { caps: { referrer_weekly: { count: 1 } } }, 'unknown_field', 'caps.referrer_weekly'],
    [
      'a refund as qualifying event',
      { qualification: { event: 'refund' } },
      'invalid_value',
      'qualification.event',
    ],
    [
      'purchase number 0',
      { qualification: { purchase_number: 0 } },
      'value_too_small',
      'qualification.purchase_number',
    ],
    [
      'purchase number as a string',
      { qualification: { purchase_number: '2' } },
      'invalid_type',
      'qualification.purchase_number',
    ],
    [
      'a negative minimum order',
      { qualification: { min_order: usd(-5) } },
      'amount_negative',
      'qualification.min_order.amount',
    ],
    [
      'new_customers_only as a string',
      { qualification: { new_customers_only: 'yes' } },
      'invalid_type',
      'qualification.new_customers_only',
    ],
    [
      'an unknown qualification field',
      { qualification: { first_only: true } },
      'unknown_field',
      'qualification.first_only',
    ],
    ['a share with an amount too', share({ amount: 100 }), 'invalid_value', 'rewards.referee.amount'],
    [
      'a reward with neither amount nor share',
      referee({ currency: 'USD' }),
      'missing_field',
      'rewards.referee.amount',
    ],
    [
      'basis points as a string',
      referee({ basis_points: '1000', currency: 'USD' }),
      'invalid_type',
      'rewards.referee.basis_points',
    ],
    [
      'fractional basis points',
      referee({ basis_points: 10.5, currency: 'USD' }),
      'invalid_type',
      'rewards.referee.basis_points',
    ],
    ['zero basis points', share({ basis_points: 0 }), 'value_too_small', 'rewards.referee.basis_points'],
    [
      'basis points over 100%',
      share({ basis_points: 10_001 }),
      'value_too_large',
      'rewards.referee.basis_points',
    ],
    ['a negative share minimum', share({ min_amount: -1 }), 'amount_negative', 'rewards.referee.min_amount'],
    [
      'a fractional share maximum',
      share({ max_amount: 2.5 }),
      'amount_not_integer',
      'rewards.referee.max_amount',
    ],
    [
      'a share maximum below its minimum',
      share({ min_amount: 600, max_amount: 500 }),
      'invalid_value',
      'rewards.referee.max_amount',
    ],
    [
      'a lower-case share currency',
      share({ currency: 'usd' }),
      'unknown_currency',
      'rewards.referee.currency',
    ],
    [
      'a minimum on a fixed reward',
      referee({ ...usd(500), min_amount: 100 }),
      'invalid_value',
      'rewards.referee.min_amount',
    ],
    [
      'a share when sign-ups qualify',
      { ...share(), qualification: { event: 'signup' } },
      'invalid_value',
      'rewards.referee.basis_points',
    ],
    ['a tier from referral 0', tiers(tier(0)), 'value_too_small', 'rewards.referrer_tiers.0.from_referral'],
    [
      'tiers out of order',
      tiers(tier(3), tier(3)),
      'invalid_value',
      'rewards.referrer_tiers.1.from_referral',
    ],
    [
      'a tier without reward',
      tiers({ from_referral: 2 }),
      'missing_field',
      'rewards.referrer_tiers.0.reward',
    ],
    [
      'a negative tier reward',
      tiers(tier(2, usd(-1))),
      'amount_negative',
      'rewards.referrer_tiers.0.reward.amount',
    ],
    [
      'tiers as an object',
      { rewards: { referrer: usd(1), referrer_tiers: {} } },
      'invalid_type',
      'rewards.referrer_tiers',
    ],
    [
      'a milestone at referral "10"',
      milestones(milestone('10')),
      'invalid_type',
      'rewards.milestones.0.at_referral',
    ],
    [
      'milestones out of order',
      milestones(milestone(5), milestone(2)),
      'invalid_value',
      'rewards.milestones.1.at_referral',
    ],
    [
      'a milestone paid as a share',
      milestones(milestone(5, { ...usd(100), basis_points: 10 })),
      'unknown_field',
      'rewards.milestones.0.reward.basis_points',
    ],
    [
      'a fractional milestone',
      milestones(milestone(5, usd(0.5))),
      'amount_not_integer',
      'rewards.milestones.0.reward.amount',
    ],
    [
      'an unknown rewards field',
      { rewards: { referrer: usd(1), referrer_tier: [] } },
      'unknown_field',
      'rewards.referrer_tier',
    ],
  ];
  const cases = rows.flatMap(([name, fields, code, param]) => [
    { route: 'POST /v1/programs', name, body: programBody(fields), code, param },
    { route: 'PATCH /v1/programs/{program}', name, body: fields, code, param },
  ]);

  it.each(cases)('$route with $name answers 400 $code naming $param, and writes nothing', async (c) => {
    const [method, url] = c.route.split(' ') as [Method, string];
    await expectRefused(() => send(method, url, c.body), 400, c.code, c.param);
  });

  it('rolls back a PATCH whose new rules were valid but whose minimum was not', async () => {
    const before = (await t.api('GET', `/v1/programs/${ids.program}`)).body;

    await expectRefused(
      () =>
        send('PATCH', '/v1/programs/{program}', {
          rewards: { referrer: usd(2000), referee: null },
          payout_minimums: { USD: -1 },
        }),
      400,
      'amount_negative',
      'payout_minimums.USD',
    );

    expect((await t.api('GET', `/v1/programs/${ids.program}`)).body).toEqual(before);
  });
});
