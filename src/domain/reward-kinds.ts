/**
 * What a reward is, how it reaches the participant once approved, and how finance books it. Only
 * cash is paid out; every other kind is delivered (granted, drawn from a pool, generated, or done
 * by hand) and never reaches a balance that a payout run reads.
 */

export type RewardKind = 'cash' | 'credit' | 'coupon' | 'gift_card' | 'points' | 'custom';

export type AccountingClass = 'marketing_expense' | 'contra_revenue' | 'customer_acquisition_cost';

/**
 * How a finance team usually books each kind: money and things given away are a marketing
 * expense; credit, discounts and points reduce what the customer pays, so they are contra-revenue.
 * A rule can say otherwise (`accounting_class`).
 */
export const DEFAULT_ACCOUNTING: Record<RewardKind, AccountingClass> = {
  cash: 'marketing_expense',
  credit: 'contra_revenue',
  coupon: 'contra_revenue',
  gift_card: 'marketing_expense',
  points: 'contra_revenue',
  custom: 'marketing_expense',
};

/** How an approved reward is delivered. */
export type Fulfilment =
  /** Cash: through payout runs. */
  | { method: 'payout' }
  /** Credit and points: granted at once; the business applies them on `reward.issued`. */
  | { method: 'grant' }
  /** A coupon or gift-card code drawn from an uploaded pool. */
  | { method: 'pool'; pool_id: string }
  /** A coupon code made from a pattern; the business creates it in its shop on `reward.issued`. */
  | { method: 'generate'; code_pattern: string }
  /** A task an admin (or a fulfilment adapter through the API) completes: a gift card, an experience. */
  | { method: 'task'; description: string };

/** Cash, credit and points can be clawed back in part; a code, a card or an experience cannot. */
export const isDivisible = (kind: RewardKind): boolean =>
  kind === 'cash' || kind === 'credit' || kind === 'points';

/** Kinds the business reports as used: the credit spent, the code applied, the points spent. */
export const isRedeemable = (kind: RewardKind): boolean =>
  kind === 'credit' || kind === 'coupon' || kind === 'gift_card' || kind === 'points';

// Crockford's base 32: no I, L, O or U, so a code read aloud or retyped survives. 256 is a
// multiple of 32, so a random byte modulo 32 is uniform.
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `FRIEND-{8}`: literal text around one `{N}`, N random characters (6 to 20, so guessing fails). */
const CODE_PATTERN = /^([A-Z0-9_-]{0,32})\{(\d{1,2})\}([A-Z0-9_-]{0,32})$/;

export const MIN_RANDOM_CHARS = 6;
export const MAX_RANDOM_CHARS = 20;

export interface CodePattern {
  prefix: string;
  length: number;
  suffix: string;
}

export function parseCodePattern(pattern: string): CodePattern | null {
  const match = CODE_PATTERN.exec(pattern);
  if (!match) return null;
  const length = Number(match[2]);
  if (length < MIN_RANDOM_CHARS || length > MAX_RANDOM_CHARS) return null;
  return { prefix: match[1] ?? '', length, suffix: match[3] ?? '' };
}

/** A code from a valid pattern and at least `length` random bytes. */
export function generateCode(pattern: CodePattern, random: Uint8Array): string {
  let middle = '';
  for (let i = 0; i < pattern.length; i++) middle += CODE_ALPHABET[(random[i] ?? 0) % 32];
  return pattern.prefix + middle + pattern.suffix;
}
