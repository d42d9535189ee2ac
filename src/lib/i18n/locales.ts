import Negotiator from 'negotiator';
import { AppError } from '../errors.ts';

/** The languages Vouch ships every string in; the first is the last resort. */
export const SHIPPED_LOCALES = ['en', 'de', 'fr', 'es', 'pt-BR', 'ar'] as const;
export type Locale = (typeof SHIPPED_LOCALES)[number];

const RIGHT_TO_LEFT: ReadonlySet<Locale> = new Set(['ar']);

export const directionOf = (locale: Locale): 'rtl' | 'ltr' => (RIGHT_TO_LEFT.has(locale) ? 'rtl' : 'ltr');

const BY_LOWER_CASE = new Map<string, Locale>(
  SHIPPED_LOCALES.map((locale) => [locale.toLowerCase(), locale]),
);

/**
 * The shipped locale a BCP 47 tag falls back to: itself, then its language alone (`fr-CA` → `fr`),
 * then the one shipped variant of that language (`pt` → `pt-BR`); null when none is shipped.
 */
export function shippedLocaleOf(tag: string): Locale | null {
  const exact = BY_LOWER_CASE.get(tag.toLowerCase());
  if (exact) return exact;
  const language = tag.split('-')[0]?.toLowerCase() ?? '';
  return (
    BY_LOWER_CASE.get(language) ??
    SHIPPED_LOCALES.find((l) => l.toLowerCase().startsWith(`${language}-`)) ??
    null
  );
}

/** A locale a client names: well-formed BCP 47, or a 400 naming the parameter. */
export function canonicalTag(tag: string, param: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical) return canonical;
  } catch {
    // RangeError: not a language tag at all.
  }
  throw new AppError(
    'invalid_locale',
    `${param} must be a BCP 47 language tag such as en, fr-CA or pt-BR.`,
    param,
  );
}

export interface LocaleChoice {
  /** The locale the caller named (the API, the page's ?locale=, the portal's choice), first. */
  requested?: string | undefined;
  /** The browser's Accept-Language header. */
  acceptLanguage?: string | undefined;
  /** The program's default language. */
  fallback?: string | undefined;
}

/**
 * Which shipped locale to speak: the one named, else the browser's most preferred shipped one,
 * else the program's default, else English. A named tag that is not BCP 47 is refused (400).
 */
export function chooseLocale(choice: LocaleChoice, param = 'locale'): Locale {
  if (choice.requested !== undefined) {
    const named = shippedLocaleOf(canonicalTag(choice.requested, param));
    if (named) return named;
  }
  if (choice.acceptLanguage) {
    const preferred = new Negotiator({ headers: { 'accept-language': choice.acceptLanguage } }).languages();
    for (const tag of preferred) {
      const shipped = tag === '*' ? null : shippedLocaleOf(tag);
      if (shipped) return shipped;
    }
  }
  return (choice.fallback && shippedLocaleOf(choice.fallback)) || 'en';
}
