/**
 * A program's incentive rules and what a qualified referral earns under them. Pure: the caller
 * gathers the facts (`RewardFacts`) the rules ask for (`factsNeeded`) and writes the result.
 */

export interface FixedReward {
  amount: number;
  currency: string;
}

/** A share of the qualifying order, in basis points (1/100 of a percent), within bounds. */
export interface PercentReward {
  basis_points: number;
  currency: string;
  min_amount?: number;
  max_amount?: number;
}

export type RewardSpec = FixedReward | PercentReward;

export interface Tier {
  /** From the referrer's Nth rewarded referral on (1 = the first). */
  from_referral: number;
  reward: RewardSpec;
}

export interface Milestone {
  /** A one-off bonus on the referrer's Nth rewarded referral. */
  at_referral: number;
  reward: FixedReward;
}

export interface Qualification {
  /** What qualifies a referral: the referee's sign-up, or their Nth purchase. */
  event: 'signup' | 'purchase';
  purchase_number: number;
  /** Only purchases of at least this much count, in this currency. */
  min_order: FixedReward | null;
  /** A referee who bought before being referred is not rewarded. */
  new_customers_only: boolean;
}

export interface Cap {
  count?: number;
  amount?: FixedReward;
}

export interface Caps {
  /** The referrer's rewards per calendar month (UTC). */
  referrer_monthly: Cap | null;
  referrer_lifetime: Cap | null;
  /** Everything the program rewards per calendar month (UTC), both sides. */
  program_monthly_budget: FixedReward | null;
}

export interface RewardRules {
  referrer: RewardSpec | null;
  referee: RewardSpec | null;
  referrer_tiers: Tier[];
  milestones: Milestone[];
  qualification: Qualification;
  caps: Caps;
}

export const DEFAULT_QUALIFICATION: Qualification = {
  event: 'purchase',
  purchase_number: 1,
  min_order: null,
  new_customers_only: false,
};

export const NO_CAPS: Caps = {
  referrer_monthly: null,
  referrer_lifetime: null,
  program_monthly_budget: null,
};

/** Rules as stored, filled with defaults: programs created before tiers and caps had only two sides. */
export function normalizeRules(stored: Partial<RewardRules>): RewardRules {
  return {
    referrer: stored.referrer ?? null,
    referee: stored.referee ?? null,
    referrer_tiers: stored.referrer_tiers ?? [],
    milestones: stored.milestones ?? [],
    qualification: { ...DEFAULT_QUALIFICATION, ...stored.qualification },
    caps: { ...NO_CAPS, ...stored.caps },
  };
}

/** What has been rewarded already, per currency: a cap or budget compares against it. */
export interface Spent {
  count: number;
  amounts: Record<string, number>;
}

export interface RewardFacts {
  /** The qualifying order; null when a sign-up qualifies. */
  order: FixedReward | null;
  /** The referrer's rewarded referrals before this one. */
  referrerRewarded: number;
  referrerThisMonth: Spent;
  referrerLifetime: Spent;
  programThisMonth: Spent;
}

export type Side = 'referrer' | 'referee' | 'referrer_milestone';

export interface EarnedReward {
  side: Side;
  participantId: string;
  amount: number;
  currency: string;
}

export type SkipReason = 'referrer_cap_reached' | 'program_budget_exhausted' | 'order_currency_mismatch';

export interface Earnings {
  rewards: EarnedReward[];
  skipped: { side: Side; reason: SkipReason }[];
}

/** Which facts the rules need, so nothing is queried that no rule reads. */
export function factsNeeded(rules: RewardRules) {
  const { caps } = rules;
  return {
    referrerHistory:
      rules.referrer_tiers.length > 0 ||
      rules.milestones.length > 0 ||
      caps.referrer_monthly !== null ||
      caps.referrer_lifetime !== null,
    programMonth: caps.program_monthly_budget !== null,
  };
}

export const NOTHING_SPENT: Spent = { count: 0, amounts: {} };

/** Rounds half up; BigInt because amount × basis points can pass 2^53. */
function share(amount: number, basisPoints: number): number {
  return Number((BigInt(amount) * BigInt(basisPoints) * 2n + 10_000n) / 20_000n);
}

/** The amount a spec pays on an order; null when it cannot apply (a share of another currency). */
export function rewardAmount(spec: RewardSpec, order: FixedReward | null): FixedReward | null {
  if ('amount' in spec) return { amount: spec.amount, currency: spec.currency };
  if (!order || order.currency !== spec.currency) return null;
  let amount = share(order.amount, spec.basis_points);
  if (spec.min_amount !== undefined) amount = Math.max(amount, spec.min_amount);
  if (spec.max_amount !== undefined) amount = Math.min(amount, spec.max_amount);
  return { amount, currency: spec.currency };
}

/** The referrer's reward for their Nth rewarded referral: the highest tier reached, else the base. */
export function referrerSpec(rules: RewardRules, nth: number): RewardSpec | null {
  let spec = rules.referrer;
  for (const tier of rules.referrer_tiers) if (tier.from_referral <= nth) spec = tier.reward;
  return spec;
}

/** Whether adding these rewards stays within the cap. Counts are of rewards, milestone bonuses aside. */
function fits(cap: Cap | null, spent: Spent, adding: EarnedReward[]): boolean {
  if (!cap) return true;
  const count = adding.filter((r) => r.side !== 'referrer_milestone').length;
  if (cap.count !== undefined && spent.count + count > cap.count) return false;
  if (cap.amount) {
    const limit = cap.amount;
    const added = adding.filter((r) => r.currency === limit.currency).reduce((sum, r) => sum + r.amount, 0);
    if ((spent.amounts[limit.currency] ?? 0) + added > limit.amount) return false;
  }
  return true;
}

/**
 * What a qualified referral earns. The referrer's caps hold back only the referrer's rewards; the
 * program's monthly budget holds back everything that would pass it. A reward that would exceed
 * a cap is skipped whole, never cut down, and the reason is returned.
 */
export function earnRewards(
  rules: RewardRules,
  referral: { referrerId: string; refereeId: string },
  facts: RewardFacts,
): Earnings {
  const skipped: Earnings['skipped'] = [];
  const nth = facts.referrerRewarded + 1;
  const candidates: EarnedReward[] = [];
  const add = (side: Side, participantId: string, spec: RewardSpec | null) => {
    if (!spec) return;
    const earned = rewardAmount(spec, facts.order);
    if (earned) candidates.push({ side, participantId, ...earned });
    else skipped.push({ side, reason: 'order_currency_mismatch' });
  };
  add('referrer', referral.referrerId, referrerSpec(rules, nth));
  const milestone = rules.milestones.find((m) => m.at_referral === nth);
  if (milestone) add('referrer_milestone', referral.referrerId, milestone.reward);
  add('referee', referral.refereeId, rules.referee);

  const referrerSide = candidates.filter((r) => r.side !== 'referee');
  const referrerFits =
    fits(rules.caps.referrer_monthly, facts.referrerThisMonth, referrerSide) &&
    fits(rules.caps.referrer_lifetime, facts.referrerLifetime, referrerSide);
  let rewards = candidates;
  if (!referrerFits) {
    for (const r of referrerSide) skipped.push({ side: r.side, reason: 'referrer_cap_reached' });
    rewards = candidates.filter((r) => r.side === 'referee');
  }
  const budget = rules.caps.program_monthly_budget;
  if (budget && !fits({ amount: budget }, facts.programThisMonth, rewards)) {
    for (const r of rewards) skipped.push({ side: r.side, reason: 'program_budget_exhausted' });
    rewards = [];
  }
  return { rewards, skipped };
}

/** The start of the calendar month (UTC) that `at` falls in: monthly caps count from there. */
export function monthStart(at: Date): string {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)).toISOString();
}
