import { type Html, html } from '../../lib/html.ts';
import { directionOf, type Locale, SHIPPED_LOCALES } from '../../lib/i18n/locales.ts';
import { type MessageKey, translator } from '../../lib/i18n/messages.ts';
import { contentSecurityPolicy, inlineStyle } from './html.ts';

// One stylesheet for every page: light and dark from the browser's setting, logical properties so
// Arabic lays out right to left, and colours whose contrast passes WCAG 2.2 AA in both schemes.
const CSS = `
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1b1b1f;--muted:#4a4a55;--card:#f4f4f7;--line:#c9c9d2;--brand:#1f4fd1;--on-brand:#ffffff}
@media (prefers-color-scheme:dark){:root{--bg:#111114;--fg:#ededf2;--muted:#b9b9c6;--card:#1d1d23;--line:#3a3a46;--brand:#8fb0ff;--on-brand:#0b1430}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",sans-serif}
main{max-width:34rem;margin:0 auto;padding:2.5rem 1.25rem;overflow-wrap:anywhere}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 1rem}
p{margin:0 0 1rem}
.offer{background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1rem 1.25rem;margin:0 0 1.5rem}
.offer p:last-child{margin-bottom:0}
.button{display:inline-block;background:var(--brand);color:var(--on-brand);text-decoration:none;font-weight:600;padding:.8rem 1.4rem;border-radius:.5rem;min-height:44px}
.button:focus-visible,a:focus-visible{outline:3px solid var(--fg);outline-offset:2px}
.note{color:var(--muted);font-size:.9rem;margin-top:1.5rem}
footer{max-width:34rem;margin:0 auto;padding:0 1.25rem 2rem;color:var(--muted);font-size:.9rem}
footer ul{list-style:none;padding:0;margin:.25rem 0 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
footer a{color:var(--fg);display:inline-block;padding:.4rem 0;min-height:24px}
footer a[aria-current]{font-weight:700}
h2{font-size:1.2rem;margin:2rem 0 .75rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
input[type=url]{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid var(--line);border-radius:.5rem;background:var(--card);color:var(--fg)}
.qr{background:#ffffff;padding:.5rem;border-radius:.5rem;border:1px solid var(--line)}
.buttons{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.5rem}
.chip{display:inline-block;border:1px solid var(--line);border-radius:999px;padding:.55rem 1rem;color:var(--fg);text-decoration:none;min-height:44px}
table{width:100%;border-collapse:collapse;margin:0 0 1rem}
th,td{text-align:start;padding:.5rem .25rem;border-bottom:1px solid var(--line);vertical-align:top}
.code{font-family:ui-monospace,monospace;color:var(--muted)}
.balance dl{display:grid;grid-template-columns:repeat(auto-fit,minmax(7rem,1fr));gap:.5rem;margin:0 0 .75rem}
.balance dl div{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.5rem .75rem}
.balance dt{color:var(--muted);font-size:.85rem}
.balance dd{margin:0;font-weight:600}
button{font:inherit;padding:.55rem 1rem;border-radius:.5rem;border:1px solid var(--line);background:var(--card);color:var(--fg);min-height:44px;cursor:pointer}
footer form{margin:0 0 1rem}
input[type=email]{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid var(--line);border-radius:.5rem;background:var(--bg);color:var(--fg);margin-bottom:.5rem}
button.primary{background:var(--brand);color:var(--on-brand);border-color:var(--brand);font-weight:600}
.error{color:var(--fg);border-inline-start:4px solid var(--brand);padding-inline-start:.75rem}
fieldset{border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}
.check{display:flex;gap:.5rem;align-items:flex-start;font-weight:400;margin:.5rem 0}
.check input{width:1.25rem;height:1.25rem;margin-top:.15rem}
`;

const STYLE = inlineStyle(CSS);

/** The Content-Security-Policy header of every page built on this layout; a page with a script has the second. */
export const PAGE_POLICY = contentSecurityPolicy(STYLE.source);
export const SCRIPTED_PAGE_POLICY = contentSecurityPolicy(STYLE.source, true);
/** The share widget's iframe page: scripted, and framed only by the program's embed origins. */
export const framedPagePolicy = (embedOrigins: readonly string[]) =>
  contentSecurityPolicy(STYLE.source, true, embedOrigins);

export interface PageParts {
  locale: Locale;
  title: string;
  main: Html;
  footer?: Html;
  /** A script file of Vouch's that enhances the page (served under SCRIPTED_PAGE_POLICY). */
  script?: string;
}

export function layout({ locale, title, main, footer, script }: PageParts): string {
  return html`<!doctype html>
<html lang="${locale}" dir="${directionOf(locale)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>${STYLE.tag}${script ? html`<script src="${script}" defer></script>` : ''}</head>
<body><main>${main}</main>${footer ? html`<footer>${footer}</footer>` : ''}</body></html>
`.text;
}

// Each language named in itself, as a person looking for theirs reads it.
const ENDONYMS = Object.fromEntries(
  SHIPPED_LOCALES.map((l) => [l, new Intl.DisplayNames([l], { type: 'language' }).of(l) ?? l]),
) as Record<Locale, string>;

/** The language links: the same page in every shipped language, the current one marked. */
export function languageLinks(locale: Locale, here: (locale: Locale) => string, label: string) {
  return html`<nav aria-label="${label}"><ul>${SHIPPED_LOCALES.map(
    (l) =>
      html`<li><a href="${here(l)}" lang="${l}" hreflang="${l}"${l === locale ? html` aria-current="page"` : ''}>${ENDONYMS[l]}</a></li>`,
  )}</ul></nav>`;
}

/** What a message page may add: the values its strings name, and a link on. */
export interface MessageExtras {
  values?: Record<string, string>;
  link?: { href: string; label: MessageKey };
}

/** A page that only says something (a code not active, signed out), in the reader's language. */
export function messagePage(
  locale: Locale,
  here: (locale: Locale) => string,
  titleKey: MessageKey,
  bodyKey: MessageKey,
  { values, link }: MessageExtras = {},
): string {
  const t = translator(locale);
  const title = t(titleKey, values);
  return layout({
    locale,
    title,
    main: html`<h1>${title}</h1><p>${t(bodyKey, values)}</p>${link ? html`<p><a class="button" href="${link.href}">${t(link.label)}</a></p>` : ''}`,
    footer: languageLinks(locale, here, t('share.languages')),
  });
}

/** A page with one form: a heading, what it is for, its fields, and its button. */
export function formPage(
  locale: Locale,
  here: (locale: Locale) => string,
  parts: { title: string; intro: string; action: string; fields: Html; button: string },
): string {
  const t = translator(locale);
  return layout({
    locale,
    title: parts.title,
    main: html`<h1>${parts.title}</h1><p>${parts.intro}</p>
<form method="post" action="${parts.action}">${parts.fields}<p><button type="submit" class="primary">${parts.button}</button></p></form>`,
    footer: languageLinks(locale, here, t('share.languages')),
  });
}
