import type { findCodeTarget } from '../../store/repositories/participants.ts';

type CodeRow = Awaited<ReturnType<typeof findCodeTarget>>;

export const REFERRAL_COOKIE = 'vouch_ref';
/** A first-party device id, so a later sign-up from the same browser can be matched to its clicks. */
export const DEVICE_COOKIE = 'vouch_device';
// Browsers cap cookie lifetimes at 400 days.
const DEVICE_COOKIE_DAYS = 400;

/**
 * What the redirect needs of a live code, with everything that depends only on the code worked
 * out once when the code is looked up, so a cached click only appends its own click id.
 */
export interface RedirectTarget {
  code: string;
  programId: string;
  participantId: string;
  /** The landing URL up to and including `vouch_click=`. */
  locationPrefix: string;
  /** What follows the click id: the landing URL's #fragment, or nothing. */
  locationSuffix: string;
  /** The Set-Cookie attributes after the value: `; Max-Age=…; Path=/; …`. */
  cookieAttributes: string;
}

export interface CookieSettings {
  secure: boolean;
  domain: string | undefined;
  /** @fastify/cookie's serializer, so attributes are validated and written as it writes them. */
  serialize: (name: string, value: string, options: object) => string;
}

/**
 * Splits the landing URL around the click id. vouch_click is deleted and appended last, after
 * vouch_ref, so the query ends with `vouch_click=` and prefix + id + fragment is exactly what
 * URLSearchParams would serialise (click ids need no escaping). The landing URL's own parameters
 * are kept, and the fragment stays last.
 */
export function locationParts(landingUrl: string, code: string): { prefix: string; suffix: string } {
  const url = new URL(landingUrl);
  const fragment = url.hash;
  url.hash = '';
  url.searchParams.delete('vouch_click');
  url.searchParams.set('vouch_ref', code);
  url.searchParams.append('vouch_click', '');
  return { prefix: url.href, suffix: fragment };
}

/** The device cookie's attributes: the same for every click. */
export function deviceCookieAttributes(settings: CookieSettings): string {
  return cookieAttributes(DEVICE_COOKIE_DAYS, settings, DEVICE_COOKIE);
}

/** The referral cookie's attributes, for the attribution window of the code's program. */
export function cookieAttributes(
  windowDays: number,
  settings: CookieSettings,
  name = REFERRAL_COOKIE,
): string {
  const line = settings.serialize(name, '', {
    path: '/',
    maxAge: windowDays * 86_400,
    sameSite: 'lax',
    secure: settings.secure,
    httpOnly: false,
    ...(settings.domain ? { domain: settings.domain } : {}),
  });
  return line.slice(`${name}=`.length);
}

/** A target for a code that may redirect, or null: a disabled code is answered like an unknown one. */
export function redirectTarget(row: CodeRow, cookies: CookieSettings): RedirectTarget | null {
  if (row?.participant_status !== 'active' || row.program_status !== 'active') return null;
  const location = locationParts(row.landing_url, row.code);
  return {
    code: row.code,
    programId: row.program_id,
    participantId: row.participant_id,
    locationPrefix: location.prefix,
    locationSuffix: location.suffix,
    cookieAttributes: cookieAttributes(row.attribution_window_days, cookies),
  };
}
