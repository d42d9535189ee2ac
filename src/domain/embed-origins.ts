/**
 * The origins whose pages may embed a program's share widget: each one a web origin (scheme,
 * host, optional port) and nothing else, because CORS and `frame-ancestors` compare origins, and
 * a path would promise a narrowing that neither of them makes.
 */

export const MAX_EMBED_ORIGINS = 20;

export type EmbedOriginsCheck =
  | { ok: true; origins: string[] }
  | { ok: false; index: number; reason: 'not_an_origin' | 'not_http' | 'has_path' };

// Everything after the authority (a path, even a lone "/", a query, a fragment) is refused.
const ORIGIN_SHAPE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]+$/i;

/** Canonical origins (lowercase host, default port dropped), without repeats; or the first bad one. */
export function checkEmbedOrigins(values: readonly string[]): EmbedOriginsCheck {
  const origins: string[] = [];
  for (const [index, value] of values.entries()) {
    if (!ORIGIN_SHAPE.test(value)) {
      return {
        ok: false,
        index,
        reason: /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+[/?#]/i.test(value) ? 'has_path' : 'not_an_origin',
      };
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { ok: false, index, reason: 'not_an_origin' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { ok: false, index, reason: 'not_http' };
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return { ok: true, origins };
}

/** Whether a request's Origin header names one of the allowed origins (compared canonically). */
export function isEmbedOrigin(allowed: readonly string[], origin: string): boolean {
  const checked = checkEmbedOrigins([origin]);
  return checked.ok && allowed.includes(checked.origins[0] as string);
}
