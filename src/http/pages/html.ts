import { createHash } from 'node:crypto';

/**
 * HTML built so that every value is escaped unless it is itself HTML built here: a page cannot
 * carry a referrer's name as markup, whatever the name holds.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

type Value = Html | string | number | null | undefined | false | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** The tagged template: html`<p>${name}</p>` escapes name; nested html`` fragments stay markup. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let text = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) text += render(values[i] as Value) + (strings[i + 1] ?? '');
  return new Html(text);
}

/** A stylesheet inline in the page, allowed by the policy through its hash, never by 'unsafe-inline'. */
export function inlineStyle(css: string): { tag: Html; source: string } {
  const hash = createHash('sha256').update(css).digest('base64');
  return { tag: new Html(`<style>${css}</style>`), source: `'sha256-${hash}'` };
}

/**
 * The policy of every page Vouch serves: nothing loads but the page's own stylesheet, images from
 * Vouch itself and, on a page that has one, its script file from Vouch (no inline script ever);
 * forms post only back here; no page may frame it but the share widget's, which names the sites
 * that may.
 */
export function contentSecurityPolicy(
  styleSource: string,
  withScript = false,
  frameAncestors: readonly string[] = [],
): string {
  return [
    "default-src 'none'",
    `style-src ${styleSource}`,
    "img-src 'self' data:",
    ...(withScript ? ["script-src 'self'", "connect-src 'self'"] : []),
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}
