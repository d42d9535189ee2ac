import { offerWords } from '../../domain/offer.ts';
import type { RewardRules } from '../../domain/reward-rules.ts';
import type { Locale } from '../../lib/i18n/locales.ts';
import { translator } from '../../lib/i18n/messages.ts';

// What a referrer is told and what they tell a friend, wherever it is shown: the portal, the
// share kit's blocks for the business's own emails and screens.

export interface ProgramOffer {
  programName: string;
  rules: RewardRules;
}

/** The referrer's message to a friend, which every share carries with the link. */
export function shareMessage(program: ProgramOffer, locale: Locale): string {
  const t = translator(locale);
  const { referee } = offerWords(program.rules, locale, t);
  return t('portal.share_message', { program: program.programName, reward: referee ?? 'none' });
}

/** The offer as the referrer reads it ("Your friends get $15, and you get $10 for each..."). */
export function referrerOffer(program: ProgramOffer, locale: Locale): string | null {
  const t = translator(locale);
  const { referee, referrer } = offerWords(program.rules, locale, t);
  if (referee && referrer) return t('portal.offer_both', { referee, referrer });
  if (referrer) return t('portal.offer_referrer', { referrer });
  if (referee) return t('portal.offer_referee', { referee });
  return null;
}
