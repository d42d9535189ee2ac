import { describe, expect, it } from 'vitest';
import { translator } from '../lib/i18n/messages.ts';
import { moneyWords, offerWords, rewardWords } from './offer.ts';
import { normalizeRules, type RewardSpec } from './reward-rules.ts';

const en = translator('en');
// Intl puts a narrow no-break space in some locales' money ("10,50 €"); compare with plain spaces.
const plain = (text: string | null) => text?.replace(/[\u00a0\u202f]/g, ' ') ?? null;

describe('moneyWords', () => {
  it.each([
    [1000, 'USD', 'en', '$10'],
    [1050, 'USD', 'en', '$10.50'],
    [1050, 'EUR', 'de', '10,50 €'],
    [1000, 'EUR', 'fr', '10 €'],
    [500, 'JPY', 'en', '¥500'],
    [2500, 'BRL', 'pt-BR', 'R$ 25'],
  ])('%i %s in %s is %s', (amount, currency, locale, words) => {
    expect(plain(moneyWords(amount, currency, locale, translator(locale as 'en')))).toBe(words);
  });

  it('counts points, in the plural the language wants', () => {
    expect(moneyWords(1, 'PTS', 'en', en)).toBe('1 point');
    expect(moneyWords(500, 'PTS', 'en', en)).toBe('500 points');
  });
});

describe('rewardWords', () => {
  it.each<[string, RewardSpec, string]>([
    ['cash', { amount: 1000, currency: 'USD' }, '$10'],
    ['credit', { amount: 1000, currency: 'USD', kind: 'credit' }, '$10 in credit'],
    [
      'a coupon',
      { amount: 1500, currency: 'USD', kind: 'coupon', code_pattern: 'FRIEND-{8}' },
      'a $15 coupon',
    ],
    [
      'a gift card',
      { amount: 2500, currency: 'USD', kind: 'gift_card', pool_id: 'pool_1' },
      'a $25 gift card',
    ],
    ['points', { amount: 500, currency: 'PTS', kind: 'points' }, '500 points'],
    ['a share', { basis_points: 1000, currency: 'USD' }, '10% of your order'],
    [
      'a share with a cap',
      { basis_points: 1250, currency: 'USD', max_amount: 5000 },
      '12.5% of your order, up to $50',
    ],
    [
      'a custom reward',
      { amount: 1, currency: 'USD', kind: 'custom', description: 'A tote bag' },
      'A tote bag',
    ],
  ])('words %s', (_case, spec, words) => {
    expect(rewardWords(spec, 'en', en)).toBe(words);
  });
});

describe('offerWords', () => {
  it('says what each side gets and what earns it', () => {
    const rules = normalizeRules({
      referrer: { amount: 1000, currency: 'USD' },
      referee: { amount: 1500, currency: 'USD', kind: 'coupon', code_pattern: 'FRIEND-{8}' },
      qualification: {
        ...normalizeRules({}).qualification,
        purchase_number: 2,
        min_order: { amount: 5000, currency: 'USD' },
      },
    });
    expect(offerWords(rules, 'en', en)).toEqual({
      referee: 'a $15 coupon',
      referrer: '$10',
      qualifies: 'purchase',
      purchases: 2,
      minOrder: '$50',
    });
  });

  it('starts a referrer on escalating tiers at the first tier, and leaves an unrewarded side out', () => {
    const rules = normalizeRules({
      referrer: null,
      referee: null,
      referrer_tiers: [
        { from_referral: 1, reward: { amount: 500, currency: 'EUR' } },
        { from_referral: 5, reward: { amount: 1000, currency: 'EUR' } },
      ],
    });
    expect(plain(offerWords(rules, 'fr', translator('fr')).referrer)).toBe('5 €');
    expect(offerWords(rules, 'fr', translator('fr')).referee).toBeNull();
  });
});
