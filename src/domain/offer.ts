import type { Translate } from '../lib/i18n/messages.ts';
import { minorDigits, POINTS } from '../lib/money.ts';
import type { RewardRules, RewardSpec } from './reward-rules.ts';

/**
 * A program's offer in words, as a friend or a referrer reads it ("you get a $10 coupon"): what
 * each side earns, and what earns it. Pure: the words come from the translator passed in.
 */

export interface OfferWords {
  /** What the friend (the referee) gets; null when only the referrer is rewarded. */
  referee: string | null;
  /** What the referrer gets for a first rewarded referral; null when they get nothing. */
  referrer: string | null;
  /** What qualifies the referral, as the `share.offer` message selects on it. */
  qualifies: 'signup' | 'purchase' | 'custom';
  purchases: number;
  /** The smallest order that counts, formatted; null without one. */
  minOrder: string | null;
}

// Making an Intl formatter costs far more than using one; a page formats dozens of amounts.
const moneyFormats = new Map<string, { format: Intl.NumberFormat; digits: number }>();

function moneyFormat(locale: string, currency: string) {
  const key = `${locale} ${currency}`;
  let entry = moneyFormats.get(key);
  if (!entry) {
    const format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      trailingZeroDisplay: 'stripIfInteger',
    });
    entry = { format, digits: minorDigits(currency) };
    moneyFormats.set(key, entry);
  }
  return entry;
}

/** Minor units as the locale writes money: "$10", "10,50 €", "500 points". */
export function moneyWords(amount: number, currency: string, locale: string, t: Translate): string {
  if (currency === POINTS) return t('reward.points', { points: amount });
  const { format, digits } = moneyFormat(locale, currency);
  return format.format(amount / 10 ** digits);
}

/** A day as the locale writes it ("Dec 4, 2026"); one format per language, made once. */
const DAY_FORMATS = new Map<string, Intl.DateTimeFormat>();
export function dayWords(iso: string, locale: string): string {
  let format = DAY_FORMATS.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
    DAY_FORMATS.set(locale, format);
  }
  return format.format(new Date(iso));
}

/** An earned reward in words: "$10", "a $10 coupon", "500 points". */
export function earnedWords(
  reward: { kind?: string | undefined; amount: number; currency: string },
  locale: string,
  t: Translate,
): string {
  const amount = moneyWords(reward.amount, reward.currency, locale, t);
  return reward.kind === 'credit' || reward.kind === 'coupon' || reward.kind === 'gift_card'
    ? t(`reward.${reward.kind}`, { amount })
    : amount;
}

export function rewardWords(spec: RewardSpec, locale: string, t: Translate): string {
  if (spec.kind === 'custom' && spec.description) return spec.description;
  if ('basis_points' in spec) {
    const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(
      spec.basis_points / 10_000,
    );
    if (spec.max_amount === undefined) return t('reward.share', { percent });
    return t('reward.share_up_to', { percent, max: moneyWords(spec.max_amount, spec.currency, locale, t) });
  }
  // Cash, points (already "500 points"), and a custom reward without words of its own read as the amount.
  return earnedWords(spec, locale, t);
}

export function offerWords(rules: RewardRules, locale: string, t: Translate): OfferWords {
  // A referrer on escalating tiers starts on the first one.
  const referrer =
    rules.referrer ?? rules.referrer_tiers.find((tier) => tier.from_referral <= 1)?.reward ?? null;
  const { event, purchase_number, min_order } = rules.qualification;
  return {
    referee: rules.referee ? rewardWords(rules.referee, locale, t) : null,
    referrer: referrer ? rewardWords(referrer, locale, t) : null,
    qualifies: event,
    purchases: purchase_number,
    minOrder: min_order ? moneyWords(min_order.amount, min_order.currency, locale, t) : null,
  };
}
