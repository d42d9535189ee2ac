import type { Static } from 'typebox';
import { html } from '../../lib/html.ts';
import type { Locale } from '../../lib/i18n/locales.ts';
import type { WidgetView } from '../schemas/widget.ts';
import { layout } from './layout.ts';

/** Where the iframe page's script is served: the copy and Web Share buttons, shares, its height. */
export const FRAME_SCRIPT_PATH = '/w/frame.js';

/**
 * The share widget as a page, for a site that can frame Vouch but not run its script: the same
 * answer the widget's API gives, in the layout every page shares. The share links open a new tab
 * (a network's page will not load in a frame); the script records each use with the page's token.
 */
export function widgetFramePage(
  view: Static<typeof WidgetView>,
  locale: Locale,
  token: string,
  parentOrigins: readonly string[],
): string {
  const { text } = view;
  const main = html`<section aria-label="${text.label}" data-token="${token}" data-parent-origins="${JSON.stringify(parentOrigins)}" id="vouch-widget">
<h1>${text.heading}</h1>
${view.offer ? html`<div class="offer"><p>${view.offer}</p></div>` : ''}
<label for="referral-link">${text.link_label}</label>
<input id="referral-link" type="url" readonly value="${view.link}">
<p class="buttons"><button type="button" id="copy-link" data-copied="${text.copied}" hidden>${text.copy}</button>
<button type="button" id="web-share" data-message="${view.message}" hidden>${text.web_share}</button></p>
<p>${text.code}</p>
<ul class="buttons">${view.channels.map(
    (c) =>
      html`<li><a class="chip" href="${c.url}" target="_blank" rel="noopener noreferrer" data-channel="${c.channel}">${c.label}</a></li>`,
  )}</ul>
<p>${text.friends_joined} · ${text.friends_qualified}</p>
${view.balances.map((b) => html`<p>${text.available}: ${b.available.text} · ${text.pending}: ${b.pending.text}</p>`)}
</section>`;
  return layout({ locale, title: text.label, main, script: FRAME_SCRIPT_PATH });
}
