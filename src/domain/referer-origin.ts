/**
 * What a click keeps of its Referer header: the referring site, never the page. A page's path and
 * query can name a person (a profile, a search, an email in a link), and attribution needs only
 * the site. Web referers keep their origin (`https://social.example`); an app's referer keeps
 * its scheme and package (`android-app://com.google.android.gm`); anything else is dropped.
 */
export function refererOrigin(referer: string | null): string | null {
  if (!referer) return null;
  let url: URL;
  try {
    url = new URL(referer);
  } catch {
    return null;
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  // Non-web schemes have no origin ("null"), but a host still says which app sent the visitor.
  return url.host === '' ? null : `${url.protocol}//${url.host.toLowerCase()}`;
}
