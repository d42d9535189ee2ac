import { EMAIL_CATEGORIES, type EmailCategory } from '../../domain/emails.ts';
import { dayWords as day, moneyWords } from '../../domain/offer.ts';
import { CHANNEL_BRANDS, SHARE_CHANNELS } from '../../domain/share-channels.ts';
import { type Html, html } from '../../lib/html.ts';
import type { Locale } from '../../lib/i18n/locales.ts';
import { type Translate, translator } from '../../lib/i18n/messages.ts';
import type { PortalView } from '../../services/portal/portal-view.ts';
import { referrerOffer } from '../../services/sharing/referrer-words.ts';
import { languageLinks, layout } from './layout.ts';

/** Where the portal's script is served: it shows the copy and Web Share buttons. */
export const PORTAL_SCRIPT_PATH = '/p/portal.js';

export interface PortalLinks {
  /** The referral link, absolute. */
  referral: string;
  here: (locale: Locale) => string;
  /** The business's page to go back to, when the sign-in named one. */
  back: string | null;
  /** The sign-out form's CSRF token, which the page's script also sends with a share. */
  csrf: string;
  /** The referrer's message to a friend, for the Web Share API's sheet. */
  message: string;
  /** The categories of email they get, where Vouch sends emails; whether they were just saved. */
  emails: { wanted: ReadonlySet<EmailCategory>; saved: boolean } | null;
}

function emailChoices(links: PortalLinks, t: Translate): Html | string {
  if (!links.emails) return '';
  const { wanted, saved } = links.emails;
  return html`<section aria-labelledby="emails-heading"><h2 id="emails-heading">${t('portal.emails_heading')}</h2>
${saved ? html`<p role="status">${t('portal.emails_saved')}</p>` : ''}
<form method="post" action="/p/emails"><input type="hidden" name="csrf" value="${links.csrf}">
<fieldset><legend>${t('portal.emails_intro')}</legend>${EMAIL_CATEGORIES.map(
    (category) =>
      html`<label class="check"><input type="checkbox" name="${category}" value="1"${wanted.has(category) ? html` checked` : ''}> ${t(`email_category.${category}`)}</label>`,
  )}</fieldset>
<p><button type="submit">${t('portal.emails_save')}</button></p></form></section>`;
}

function shareButtons(t: Translate): Html {
  return html`<ul class="buttons">${SHARE_CHANNELS.map(
    (channel) =>
      html`<li><a class="chip" href="/p/share/${channel}">${CHANNEL_BRANDS[channel] ?? t(`channel.${channel as 'email' | 'sms'}`)}</a></li>`,
  )}</ul>`;
}

function friendsTable(view: PortalView, locale: Locale, t: Translate): Html {
  if (view.friends.length === 0) return html`<p>${t('portal.friends_empty')}</p>`;
  return html`<table><thead><tr><th scope="col">${t('portal.col_friend')}</th><th scope="col">${t('portal.col_joined')}</th><th scope="col">${t('portal.col_status')}</th></tr></thead><tbody>${view.friends.map(
    (f) =>
      html`<tr><td>${f.friend ?? t('portal.friend_unknown')}</td><td>${day(f.signedUpAt, locale)}</td><td>${t(`friend.${f.status}`)}</td></tr>`,
  )}</tbody></table>`;
}

function balances(view: PortalView, locale: Locale, t: Translate): Html {
  const money = (amount: number, currency: string) => moneyWords(amount, currency, locale, t);
  return html`${view.cash.map((b) => {
    const minimum = view.payoutMinimums[b.currency];
    const progress =
      minimum === undefined || b.available + b.pending === 0
        ? ''
        : b.available >= minimum
          ? html`<p>${t('portal.payout_reached')}</p>`
          : html`<p>${t('portal.payout_minimum', { minimum: money(minimum, b.currency), left: money(minimum - b.available, b.currency) })}</p>`;
    return html`<section class="balance" aria-label="${t('portal.balance_caption', { currency: b.currency })}"><dl>
<div><dt>${t('balance.available')}</dt><dd>${money(b.available, b.currency)}</dd></div>
<div><dt>${t('balance.pending')}</dt><dd>${money(b.pending, b.currency)}</dd></div>
<div><dt>${t('balance.processing')}</dt><dd>${money(b.processing, b.currency)}</dd></div>
<div><dt>${t('balance.paid')}</dt><dd>${money(b.paid, b.currency)}</dd></div>
</dl>${progress}</section>`;
  })}`;
}

function rewardsTable(view: PortalView, locale: Locale, t: Translate): Html {
  if (view.rewards.length === 0) return html`<p>${t('portal.rewards_empty')}</p>`;
  return html`<table><thead><tr><th scope="col">${t('portal.col_reward')}</th><th scope="col">${t('portal.col_status')}</th></tr></thead><tbody>${view.rewards.map(
    (r) =>
      html`<tr><td>${moneyWords(r.amount, r.currency, locale, t)}${r.code ? html`<br><span class="code">${t('portal.reward_code', { code: r.code })}</span>` : ''}</td><td>${
        r.status === 'pending'
          ? t('reward_status.pending', { date: day(r.availableAt, locale) })
          : t(`reward_status.${r.status}`)
      }</td></tr>`,
  )}</tbody></table>`;
}

/** The referrer's portal: their link, how to share it, their friends and their rewards. */
export function portalPage(view: PortalView, locale: Locale, links: PortalLinks): string {
  const t = translator(locale);
  const title = t('portal.title', { program: view.programName });
  const offer = referrerOffer(view, locale);
  const main = html`<h1>${title}</h1>
${view.firstName ? html`<p>${t('portal.hello', { name: view.firstName })}</p>` : ''}
${offer ? html`<div class="offer"><p>${offer}</p></div>` : ''}
<section aria-labelledby="link-heading"><h2 id="link-heading">${t('portal.link_heading')}</h2>
<label for="referral-link">${t('portal.link_label')}</label>
<input id="referral-link" type="url" readonly value="${links.referral}">
<p class="buttons"><button type="button" id="copy-link" data-copied="${t('portal.copied')}" hidden>${t('portal.copy')}</button>
<button type="button" id="web-share" data-message="${links.message}" hidden>${t('portal.web_share')}</button></p>
<p>${t('portal.code', { code: view.code })}</p>
<p><img class="qr" src="/p/qr.svg" width="160" height="160" alt="${t('portal.qr_alt')}"></p>
<p><a href="/p/qr.png" download="referral-qr.png">${t('portal.qr_download')}</a></p></section>
<section aria-labelledby="share-heading"><h2 id="share-heading">${t('portal.share_heading')}</h2>${shareButtons(t)}</section>
<section aria-labelledby="friends-heading"><h2 id="friends-heading">${t('portal.friends_heading')}</h2>${friendsTable(view, locale, t)}</section>
<section aria-labelledby="rewards-heading"><h2 id="rewards-heading">${t('portal.rewards_heading')}</h2>${balances(view, locale, t)}${rewardsTable(view, locale, t)}</section>
${emailChoices(links, t)}`;
  const footer = html`<form method="post" action="/p/sign-out"><input type="hidden" name="csrf" value="${links.csrf}">
<button type="submit">${t('portal.sign_out')}</button> <button type="submit" name="everywhere" value="1">${t('portal.sign_out_everywhere')}</button></form>
${links.back ? html`<p><a href="${links.back}">${t('portal.back', { program: view.programName })}</a></p>` : ''}
${languageLinks(locale, links.here, t('share.languages'))}`;
  return layout({ locale, title, main, footer, script: PORTAL_SCRIPT_PATH });
}
