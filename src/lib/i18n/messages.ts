import { IntlMessageFormat, type PrimitiveType } from 'intl-messageformat';
import { ar } from './catalogs/ar.ts';
import { de } from './catalogs/de.ts';
import { type Catalog, en, type MessageKey } from './catalogs/en.ts';
import { es } from './catalogs/es.ts';
import { fr } from './catalogs/fr.ts';
import { ptBR } from './catalogs/pt-BR.ts';
import type { Locale } from './locales.ts';

export type { MessageKey };

export const CATALOGS: Readonly<Record<Locale, Catalog>> = { en, de, fr, es, 'pt-BR': ptBR, ar };

export type Translate = (key: MessageKey, values?: Record<string, PrimitiveType>) => string;

// A message is parsed once per locale, on first use: parsing is the costly part of formatting.
const compiled = new Map<string, IntlMessageFormat>();

function formatOf(locale: Locale, key: MessageKey): IntlMessageFormat {
  const id = `${locale}\u0000${key}`;
  let format = compiled.get(id);
  if (!format) {
    format = new IntlMessageFormat(CATALOGS[locale][key], locale);
    compiled.set(id, format);
  }
  return format;
}

/** The strings of one locale, formatted with ICU MessageFormat (plurals, selects). */
export function translator(locale: Locale): Translate {
  return (key, values) => String(formatOf(locale, key).format(values));
}
