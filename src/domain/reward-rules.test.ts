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
  loyaltyPoints: 0,
  referrerDisabled: false,
  refereeDisabled: false,
  referrerSegment: null,
  refereeSegment: null,
  refereeLifetime: NOTHING_SPENT,
  ...overrides,
});
const referral = { referrerId: 'par_a', refereeId: 'par_b' };
const cash = {
  kind: 'cash',
  accountingClass: 'marketing_expense',
  fulfilment: { method: 'payout' },
} as const;
const spent = (count: number, amount: number) => ({ count, amounts: { USD: amount } });

describe('reward rules', () => {
  it('reads rules stored before tiers and caps as two-sided, first-purchase rules', () => {
    expect(normalizeRules({ referrer: usd(1000), referee: null })).toEqual({
      referrer: usd(1000),
      referee: null,
      referrer_tiers: [],
      milestones: [],
      qualification: {
        event: 'purchase',
        event_name: null,
        purchase_number: 1,
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
    });
  });

  it('earns both sides their fixed rewards', () => {
    expect(earnRewards(rules(), referral, facts())).toEqual({
      rewards: [
        { side: 'referrer', participantId: 'par_a', amount: 1000, currency: 'USD', ...cash },
        { side: 'referee', participantId: 'par_b', amount: 500, currency: 'USD', ...cash },
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
        ...cash,
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
        rewards: [{ side: 'referee', participantId: 'par_b', amount: 500, currency: 'USD', ...cash }],
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

  describe('segments', () => {
    const segmented = (referrer_segments: string[], referee_segments: string[]) =>
      rules({ qualification: { ...rules().qualification, referrer_segments, referee_segments } });
    const sides = (earned: { rewards: { side: string }[] }) => earned.rewards.map((r) => r.side);

    it('rewards everyone when no segments are listed, whatever their segment', () => {
      expect(sides(earnRewards(segmented([], []), referral, facts({ refereeSegment: 'vip' })))).toEqual([
        'referrer',
        'referee',
      ]);
    });

    it('rewards a side only when its participant is in one of the listed segments', () => {
      const vipReferrers = segmented(['vip', 'partners'], []);
      expect(sides(earnRewards(vipReferrers, referral, facts({ referrerSegment: 'partners' })))).toEqual([
        'referrer',
        'referee',
      ]);
      expect(earnRewards(vipReferrers, referral, facts({ referrerSegment: 'staff' }))).toEqual({
        rewards: [{ side: 'referee', participantId: 'par_b', ...usd(500), ...cash }],
        skipped: [{ side: 'referrer', reason: 'segment_not_eligible' }],
      });
    });

    it('leaves out a participant without a segment when segments are listed', () => {
      const earned = earnRewards(segmented([], ['new']), referral, facts({ refereeSegment: null }));
      expect(sides(earned)).toEqual(['referrer']);
      expect(earned.skipped).toEqual([{ side: 'referee', reason: 'segment_not_eligible' }]);
    });

    it("holds back the referrer's milestone bonus too", () => {
      const withMilestone = rules({
        milestones: [{ at_referral: 1, reward: usd(5000) }],
        qualification: { ...rules().qualification, referrer_segments: ['vip'] },
      });
      expect(earnRewards(withMilestone, referral, facts()).skipped).toEqual([
        { side: 'referrer', reason: 'segment_not_eligible' },
        { side: 'referrer_milestone', reason: 'segment_not_eligible' },
      ]);
    });
  });

  describe('disabled participants', () => {
    it('gives a disabled referrer nothing new, milestone included, and the friend their reward', () => {
      const withMilestone = rules({ milestones: [{ at_referral: 1, reward: usd(5000) }] });
      expect(earnRewards(withMilestone, referral, facts({ referrerDisabled: true }))).toEqual({
        rewards: [{ side: 'referee', participantId: 'par_b', ...usd(500), ...cash }],
        skipped: [
          { side: 'referrer', reason: 'referrer_disabled' },
          { side: 'referrer_milestone', reason: 'referrer_disabled' },
        ],
      });
    });

    it('gives a disabled referee nothing new, and the referrer their reward', () => {
      expect(earnRewards(rules(), referral, facts({ refereeDisabled: true }))).toEqual({
        rewards: [{ side: 'referrer', participantId: 'par_a', ...usd(1000), ...cash }],
        skipped: [{ side: 'referee', reason: 'referee_disabled' }],
      });
    });
  });

  describe("the referee's lifetime cap", () => {
    const capped = (cap: RewardRules['caps']['referee_lifetime']) =>
      rules({ caps: { ...rules().caps, referee_lifetime: cap } });

    it('counts the referee-side rewards the person received before', () => {
      const once = capped({ count: 1 });
      expect(earnRewards(once, referral, facts({ refereeLifetime: spent(0, 0) })).skipped).toEqual([]);
      expect(earnRewards(once, referral, facts({ refereeLifetime: spent(1, 500) }))).toEqual({
        rewards: [{ side: 'referrer', participantId: 'par_a', ...usd(1000), ...cash }],
        skipped: [{ side: 'referee', reason: 'referee_cap_reached' }],
      });
    });

    it('skips a referee reward whole that would pass the amount, up to it exactly', () => {
      const upTo = capped({ amount: usd(2000) });
      expect(earnRewards(upTo, referral, facts({ refereeLifetime: spent(3, 1500) })).skipped).toEqual([]);
      expect(earnRewards(upTo, referral, facts({ refereeLifetime: spent(3, 1501) })).skipped).toEqual([
        { side: 'referee', reason: 'referee_cap_reached' },
      ]);
    });

    it('ignores amounts in other currencies', () => {
      const upTo = capped({ amount: usd(100) });
      const euros = { count: 9, amounts: { EUR: 1_000_000 } };
      expect(earnRewards(upTo, referral, facts({ refereeLifetime: euros })).skipped).toEqual([
        { side: 'referee', reason: 'referee_cap_reached' },
      ]);
      const roomy = capped({ amount: usd(500) });
      expect(earnRewards(roomy, referral, facts({ refereeLifetime: euros })).skipped).toEqual([]);
    });
  });

  it('says a share has no order to be paid on when a custom event carried no amount', () => {
    const share = rules({ referee: { basis_points: 1000, currency: 'USD' } });
    expect(earnRewards(share, referral, facts({ order: null })).skipped).toEqual([
      { side: 'referee', reason: 'no_order_amount' },
    ]);
  });

  it('counts months from the first of the month, UTC', () => {
    expect(monthStart(new Date('2026-03-31T23:59:59-05:00'))).toBe('2026-04-01T00:00:00.000Z');
  });
});
