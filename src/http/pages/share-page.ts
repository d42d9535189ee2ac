import { offerWords } from '../../domain/offer.ts';
import { html } from '../../lib/html.ts';
import type { Locale } from '../../lib/i18n/locales.ts';
import { translator } from '../../lib/i18n/messages.ts';
import type { Invitation } from '../../services/sharing/invitation.ts';
import { languageLinks, layout, messagePage } from './layout.ts';

/**
 * The friend's side of a referral: who invited them, what they get, and one link on through the
 * referral link, so the click is recorded when they follow it. No script; works in any browser.
 */
export function sharePage(
  invitation: Invitation,
  locale: Locale,
  links: { accept: string; here: (locale: Locale) => string },
): string {
  const t = translator(locale);
  const offer = offerWords(invitation.rules, locale, t);
  const referrer = invitation.referrerFirstName;
  const program = invitation.programName;
  const title = referrer ? t('share.title', { referrer, program }) : t('share.title_anonymous', { program });
  const main = html`<h1>${title}</h1>
<div class="offer">${
    offer.referee
      ? html`<p>${t('share.offer', { qualifies: offer.qualifies, purchases: offer.purchases, reward: offer.referee })}</p>`
      : html`<p>${t('share.no_offer', { program })}</p>`
  }${offer.minOrder && offer.qualifies === 'purchase' ? html`<p>${t('share.min_order', { amount: offer.minOrder })}</p>` : ''}${
    offer.referrer && referrer
      ? html`<p>${t('share.referrer_reward', { referrer, reward: offer.referrer })}</p>`
      : ''
  }</div>
<p><a class="button" href="${links.accept}">${t('share.accept')}</a></p>
<p class="note">${t('share.note', { program, days: invitation.windowDays })}</p>`;
  return layout({
    locale,
    title,
    main,
    footer: languageLinks(locale, links.here, t('share.languages')),
  });
}

/** The page for a code that cannot be followed (unknown, or its referrer or program inactive). */
export const inactiveSharePage = (locale: Locale, here: (locale: Locale) => string): string =>
  messagePage(locale, here, 'share.inactive_title', 'share.inactive_body');
