import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { chooseLocale, directionOf, shippedLocaleOf } from './locales.ts';

describe('shippedLocaleOf', () => {
  it.each([
    ['en', 'en'],
    ['EN-us', 'en'],
    ['fr-CA', 'fr'],
    ['de-AT', 'de'],
    ['pt', 'pt-BR'],
    ['pt-PT', 'pt-BR'],
    ['pt-br', 'pt-BR'],
    ['ar-EG', 'ar'],
    ['es-419', 'es'],
    ['ja', null],
  ])('%s → %s', (tag, locale) => {
    expect(shippedLocaleOf(tag)).toBe(locale);
  });
});

describe('chooseLocale', () => {
  it('takes the named locale first, falling back within its language', () => {
    expect(chooseLocale({ requested: 'fr-CA', acceptLanguage: 'de' })).toBe('fr');
  });

  it('passes a named locale that is not shipped on to the browser, then the program, then English', () => {
    expect(chooseLocale({ requested: 'ja', acceptLanguage: 'es-MX,es;q=0.9' })).toBe('es');
    expect(chooseLocale({ requested: 'ja', fallback: 'de' })).toBe('de');
    expect(chooseLocale({ requested: 'ja' })).toBe('en');
  });

  it("takes the browser's most preferred shipped language by quality, not by order", () => {
    expect(chooseLocale({ acceptLanguage: 'ja;q=1, de;q=0.5, ar;q=0.8' })).toBe('ar');
    expect(chooseLocale({ acceptLanguage: '*' })).toBe('en');
    expect(chooseLocale({ acceptLanguage: 'ja, zh', fallback: 'pt-BR' })).toBe('pt-BR');
  });

  it('refuses a named locale that is not a language tag, naming the parameter', () => {
    let error: unknown;
    try {
      chooseLocale({ requested: 'not a tag' }, 'query.locale');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'invalid_locale', param: 'query.locale' });
  });

  it('lays Arabic out right to left and the rest left to right', () => {
    expect(directionOf('ar')).toBe('rtl');
    expect(directionOf('pt-BR')).toBe('ltr');
  });
});
