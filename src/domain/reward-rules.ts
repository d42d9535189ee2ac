import {
  type AccountingClass,
  DEFAULT_ACCOUNTING,
  type Fulfilment,
  type RewardKind,
} from './reward-kinds.ts';

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

/** What a spec pays in and how it is delivered; a spec without `kind` pays cash. */
export interface KindOptions {
  kind?: RewardKind;
  /** How finance books it; the kind's usual class when absent. */
  accounting_class?: AccountingClass;
  /** Coupons and gift cards: the pool codes are drawn from. */
  pool_id?: string;
  /** Coupons: the pattern new codes are made from, as `FRIEND-{8}`. */
  code_pattern?: string;
  /** Custom rewards and gift cards without a pool: what the fulfilment task asks for. */
  description?: string;
  /** Points: the referee's referral points on an order are cut by the loyalty points it earned. */
  exclusive_of_loyalty?: boolean;
}

export type RewardSpec = (FixedReward | PercentReward) & KindOptions;

export interface Tier {
  /** From the referrer's Nth rewarded referral on (1 = the first). */
  from_referral: number;
  reward: RewardSpec;
}

export interface Milestone {
  /** A one-off bonus on the referrer's Nth rewarded referral. */
  at_referral: number;
  reward: FixedReward & KindOptions;
}

export interface Qualification {
  /** What qualifies a referral: the referee's sign-up, their Nth purchase, or a custom event. */
  event: 'signup' | 'purchase' | 'custom';
  /** With `event: 'custom'`: the name the custom event must carry. */
  event_name: string | null;
  purchase_number: number;
  /** Only purchases of at least this much count, in this currency. */
  min_order: FixedReward | null;
  /** A referee who bought before being referred is not rewarded. */
  new_customers_only: boolean;
  /** The qualifying event must come within this many days of the sign-up; null: no limit. */
  within_days: number | null;
  /** Only participants in these segments earn their side's rewards; empty: everyone. */
  referrer_segments: string[];
  referee_segments: string[];
}

export interface Cap {
  count?: number;
  amount?: FixedReward;
}

export interface Caps {
  /** The referrer's rewards per calendar month (UTC). */
  referrer_monthly: Cap | null;
  referrer_lifetime: Cap | null;
  /** The referee-side rewards one person receives, across every program of the deployment. */
  referee_lifetime: Cap | null;
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
  event_name: null,
  within_days: null,
  referrer_segments: [],
  referee_segments: [],
};

export const NO_CAPS: Caps = {
  referrer_monthly: null,
  referrer_lifetime: null,
  referee_lifetime: null,
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
  /** The participants' segments; read only when the rules list segments. */
  referrerSegment: string | null;
  refereeSegment: string | null;
  /** The referee-side rewards the referee (one person, every program) received before. */
  refereeLifetime: Spent;
  /** Points the business's loyalty programme gave for the qualifying order. */
  loyaltyPoints: number;
  /** A disabled participant earns nothing new; the other side earns as usual. */
  referrerDisabled: boolean;
  refereeDisabled: boolean;
}

export type Side = 'referrer' | 'referee' | 'referrer_milestone';

export interface EarnedReward extends Delivery {
  side: Side;
  participantId: string;
  amount: number;
  currency: string;
}

export interface Delivery {
  kind: RewardKind;
  accountingClass: AccountingClass;
  fulfilment: Fulfilment;
}

/** A spec's kind: as it says, else points when counted in points (as rules before kinds were), else cash. */
export const kindOf = (spec: KindOptions & { currency: string }): RewardKind =>
  spec.kind ?? (spec.currency === 'PTS' ? 'points' : 'cash');

/** What a spec's reward is and how it reaches the participant. */
export function deliveryOf(spec: KindOptions & { currency: string }): Delivery {
  const kind = kindOf(spec);
  return {
    kind,
    accountingClass: spec.accounting_class ?? DEFAULT_ACCOUNTING[kind],
    fulfilment: fulfilmentOf(kind, spec),
  };
}

function fulfilmentOf(kind: RewardKind, spec: KindOptions): Fulfilment {
  switch (kind) {
    case 'cash':
      return { method: 'payout' };
    case 'credit':
    case 'points':
      return { method: 'grant' };
    default:
      if (spec.pool_id) return { method: 'pool', pool_id: spec.pool_id };
      if (spec.code_pattern) return { method: 'generate', code_pattern: spec.code_pattern };
      return { method: 'task', description: spec.description ?? '' };
  }
}

export type SkipReason =
  | 'referrer_cap_reached'
  | 'program_budget_exhausted'
  | 'order_currency_mismatch'
  | 'no_order_amount'
  | 'segment_not_eligible'
  | 'referee_cap_reached'
  | 'loyalty_points_exclusive'
  | 'referrer_disabled'
  | 'referee_disabled';

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
    segments:
      rules.qualification.referrer_segments.length > 0 || rules.qualification.referee_segments.length > 0,
    refereeHistory: caps.referee_lifetime !== null,
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

/** A side earns only if its participant is in one of the segments the rules list for it (if any). */
function inSegments(rule: Qualification, side: Side, facts: RewardFacts): boolean {
  const [listed, segment] =
    side === 'referee'
      ? [rule.referee_segments, facts.refereeSegment]
      : [rule.referrer_segments, facts.referrerSegment];
  return listed.length === 0 || (segment !== null && listed.includes(segment));
}

/**
 * What a qualified referral earns. The referrer's caps hold back only the referrer's rewards; the
 * program's monthly budget holds back everything that would pass it; the referee's lifetime cap
 * only the referee's. A side whose participant is outside the rules' segments, or disabled, earns
 * nothing (the other side still does). A
 * reward that would exceed a cap is skipped whole, never cut down, and the reason is returned.
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
    if (side === 'referee' ? facts.refereeDisabled : facts.referrerDisabled) {
      skipped.push({ side, reason: side === 'referee' ? 'referee_disabled' : 'referrer_disabled' });
      return;
    }
    if (!inSegments(rules.qualification, side, facts)) {
      skipped.push({ side, reason: 'segment_not_eligible' });
      return;
    }
    const earned = rewardAmount(spec, facts.order);
    if (!earned) {
      // A share needs an order: a custom event may come without an amount.
      skipped.push({ side, reason: facts.order ? 'order_currency_mismatch' : 'no_order_amount' });
      return;
    }
    // The order's buyer earned loyalty points for it already: exclusive referral points only make
    // up the difference, so the order earns the larger of the two, never both.
    if (side === 'referee' && spec.exclusive_of_loyalty && facts.loyaltyPoints > 0) {
      earned.amount = Math.max(0, earned.amount - facts.loyaltyPoints);
      if (earned.amount === 0) {
        skipped.push({ side, reason: 'loyalty_points_exclusive' });
        return;
      }
    }
    candidates.push({ side, participantId, ...earned, ...deliveryOf(spec) });
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
  const refereeSide = rewards.filter((r) => r.side === 'referee');
  if (!fits(rules.caps.referee_lifetime, facts.refereeLifetime, refereeSide)) {
    for (const r of refereeSide) skipped.push({ side: r.side, reason: 'referee_cap_reached' });
    rewards = rewards.filter((r) => r.side !== 'referee');
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
