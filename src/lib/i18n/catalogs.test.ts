import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { en } from './catalogs/en.ts';
import { SHIPPED_LOCALES } from './locales.ts';
import { CATALOGS, translator } from './messages.ts';

type Node = { type: number; value?: string; options?: Record<string, { value: Node[] }>; children?: Node[] };

/** The argument names a message uses, at any depth of its plurals and selects. */
function argumentsOf(nodes: Node[], found = new Set<string>()): Set<string> {
  for (const node of nodes) {
    // Literal (0) and pound (7) nodes name nothing; every other kind names its argument in value.
    if (node.type !== 0 && node.type !== 7 && node.value) found.add(node.value);
    for (const option of Object.values(node.options ?? {})) argumentsOf(option.value, found);
    if (node.children) argumentsOf(node.children, found);
  }
  return found;
}

const argumentsIn = (message: string, locale: string) =>
  [...argumentsOf(new IntlMessageFormat(message, locale).getAst() as Node[])].sort();

describe('the shipped catalogs', () => {
  it.each(SHIPPED_LOCALES)('%s has every English key and no other', (locale) => {
    expect(Object.keys(CATALOGS[locale]).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(SHIPPED_LOCALES)(
    '%s parses, and each message takes the arguments the English one takes',
    (locale) => {
      for (const [key, message] of Object.entries(CATALOGS[locale])) {
        expect([key, argumentsIn(message, locale)]).toEqual([
          key,
          argumentsIn(en[key as keyof typeof en], 'en'),
        ]);
      }
    },
  );

  // Messages that are the same words as in English: French counts "points" too, and SMS is SMS.
  const SAME_AS_ENGLISH: Record<string, string[]> = {
    de: ['channel.sms'],
    fr: ['reward.points', 'channel.sms'],
    es: ['channel.sms'],
    'pt-BR': ['channel.sms'],
  };

  it.each(SHIPPED_LOCALES.filter((l) => l !== 'en'))('%s is translated, not English copied', (locale) => {
    const same = Object.entries(CATALOGS[locale])
      .filter(([key, message]) => message === en[key as keyof typeof en] && !/^\{\w+\}$/.test(message))
      .map(([key]) => key);
    expect(same).toEqual(SAME_AS_ENGLISH[locale] ?? []);
  });
});

describe('translator', () => {
  it("picks each language's plural form", () => {
    expect(translator('en')('reward.points', { points: 1 })).toBe('1 point');
    expect(translator('en')('reward.points', { points: 500 })).toBe('500 points');
    expect(translator('de')('reward.points', { points: 1 })).toBe('1 Punkt');
    expect(translator('ar')('reward.points', { points: 2 })).toBe('نقطتين');
    expect(translator('ar')('reward.points', { points: 5 })).toBe('5 نقاط');
    expect(translator('ar')('reward.points', { points: 11 })).toBe('11 نقطة');
  });

  it('selects the sentence by what qualifies a referral, with the number of purchases', () => {
    const t = translator('en');
    expect(t('share.offer', { qualifies: 'signup', purchases: 1, reward: '$10' })).toBe(
      'Sign up through this invitation and you get $10.',
    );
    expect(t('share.offer', { qualifies: 'purchase', purchases: 1, reward: '$10' })).toBe(
      'Make your first purchase through this invitation and you get $10.',
    );
    expect(t('share.offer', { qualifies: 'purchase', purchases: 3, reward: '$10' })).toBe(
      'Make 3 purchases through this invitation and you get $10.',
    );
  });
});
