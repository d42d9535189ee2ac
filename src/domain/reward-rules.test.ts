import { describe, expect, it } from 'vitest';
import {
  earnRewards,
  monthStart,
  NOTHING_SPENT,
  normalizeRules,
  type RewardFacts,
  type RewardRules,
  referrerSpec,
  rewardAmount,
} from './reward-rules.ts';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const rules = (overrides: Partial<RewardRules> = {}): RewardRules =>
  normalizeRules({ referrer: usd(1000), referee: usd(500), ...overrides });
const facts = (overrides: Partial<RewardFacts> = {}): RewardFacts => ({
  order: usd(20_000),
  referrerRewarded: 0,
  referrerThisMonth: NOTHING_SPENT,
  referrerLifetime: NOTHING_SPENT,
  programThisMonth: NOTHING_SPENT,
  ...overrides,
});
const referral = { referrerId: 'par_a', refereeId: 'par_b' };
const spent = (count: number, amount: number) => ({ count, amounts: { USD: amount } });

describe('reward rules', () => {
  it('reads rules stored before tiers and caps as two-sided, first-purchase rules', () => {
    expect(normalizeRules({ referrer: usd(1000), referee: null })).toEqual({
      referrer: usd(1000),
      referee: null,
      referrer_tiers: [],
      milestones: [],
      qualification: { event: 'purchase', purchase_number: 1, min_order: null, new_customers_only: false },
      caps: { referrer_monthly: null, referrer_lifetime: null, program_monthly_budget: null },
    });
  });

  it('earns both sides their fixed rewards', () => {
    expect(earnRewards(rules(), referral, facts())).toEqual({
      rewards: [
        { side: 'referrer', participantId: 'par_a', amount: 1000, currency: 'USD' },
        { side: 'referee', participantId: 'par_b', amount: 500, currency: 'USD' },
      ],
      skipped: [],
    });
  });

  describe('a share of the order', () => {
    const tenPercent = { basis_points: 1000, currency: 'USD', min_amount: 500, max_amount: 5000 };

    it('pays the share, rounded half up, within its bounds', () => {
      expect(rewardAmount(tenPercent, usd(12_345))).toEqual(usd(1235));
      expect(rewardAmount(tenPercent, usd(1000))).toEqual(usd(500));
      expect(rewardAmount(tenPercent, usd(90_000))).toEqual(usd(5000));
    });

    it('pays nothing on an order in another currency, and says so', () => {
      const result = earnRewards(
        rules({ referee: tenPercent }),
        referral,
        facts({ order: { amount: 100, currency: 'EUR' } }),
      );
      expect(result.rewards.map((r) => r.side)).toEqual(['referrer']);
      expect(result.skipped).toEqual([{ side: 'referee', reason: 'order_currency_mismatch' }]);
    });

    it('stays exact past 2^53', () => {
      expect(rewardAmount({ basis_points: 9999, currency: 'USD' }, usd(1_000_000_000_000))).toEqual(
        usd(999_900_000_000),
      );
    });
  });

  describe('tiers and milestones', () => {
    const tiered = rules({
      referrer_tiers: [
        { from_referral: 3, reward: usd(1500) },
        { from_referral: 10, reward: usd(2500) },
      ],
      milestones: [{ at_referral: 5, reward: usd(10_000) }],
    });

    it.each([
      [1, 1000],
      [2, 1000],
      [3, 1500],
      [9, 1500],
      [10, 2500],
      [50, 2500],
    ])("pays the referrer's referral number %i the highest tier reached: %i", (nth, amount) => {
      expect(referrerSpec(tiered, nth)).toEqual(usd(amount));
    });

    it('adds the milestone bonus on exactly its referral', () => {
      const fifth = earnRewards(tiered, referral, facts({ referrerRewarded: 4 }));
      expect(fifth.rewards).toContainEqual({
        side: 'referrer_milestone',
        participantId: 'par_a',
        ...usd(10_000),
      });
      const sixth = earnRewards(tiered, referral, facts({ referrerRewarded: 5 }));
      expect(sixth.rewards.map((r) => r.side)).toEqual(['referrer', 'referee']);
    });
  });

  describe('caps', () => {
    it("holds back only the referrer's rewards when a referrer cap would be passed", () => {
      const capped = rules({ caps: { ...rules().caps, referrer_monthly: { count: 3 } } });
      expect(earnRewards(capped, referral, facts({ referrerThisMonth: spent(2, 2000) })).skipped).toEqual([]);
      expect(earnRewards(capped, referral, facts({ referrerThisMonth: spent(3, 3000) }))).toEqual({
        rewards: [{ side: 'referee', participantId: 'par_b', amount: 500, currency: 'USD' }],
        skipped: [{ side: 'referrer', reason: 'referrer_cap_reached' }],
      });
    });

    it('skips a reward whole rather than cutting it down to fit an amount cap', () => {
      const capped = rules({ caps: { ...rules().caps, referrer_lifetime: { amount: usd(10_000) } } });
      expect(earnRewards(capped, referral, facts({ referrerLifetime: spent(9, 9000) })).skipped).toEqual([]);
      expect(earnRewards(capped, referral, facts({ referrerLifetime: spent(9, 9001) })).skipped).toEqual([
        { side: 'referrer', reason: 'referrer_cap_reached' },
      ]);
    });

    it("rewards nobody once the program's monthly budget would be passed", () => {
      const budget = rules({ caps: { ...rules().caps, program_monthly_budget: usd(100_000) } });
      expect(
        earnRewards(budget, referral, facts({ programThisMonth: spent(0, 98_500) })).rewards,
      ).toHaveLength(2);
      expect(earnRewards(budget, referral, facts({ programThisMonth: spent(0, 98_501) }))).toEqual({
        rewards: [],
        skipped: [
          { side: 'referrer', reason: 'program_budget_exhausted' },
          { side: 'referee', reason: 'program_budget_exhausted' },
        ],
      });
    });
  });

  it('counts months from the first of the month, UTC', () => {
    expect(monthStart(new Date('2026-03-31T23:59:59-05:00'))).toBe('2026-04-01T00:00:00.000Z');
  });
});
