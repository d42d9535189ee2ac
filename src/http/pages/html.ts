import { createHash } from 'node:crypto';
import { Html } from '../../lib/html.ts';

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
