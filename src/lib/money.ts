import { AppError } from './errors.ts';

/** Points are a currency of their own; everything else is ISO 4217 as the runtime knows it. */
export const POINTS = 'PTS';

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** The largest amount accepted in one request; far below 2^53 so sums of many stay exact. */
export const MAX_AMOUNT = 1_000_000_000_000;

export function isCurrency(code: string): boolean {
  return code === POINTS || ISO_CURRENCIES.has(code);
}

export interface Money {
  amount: number;
  currency: string;
}

/** Checks an amount in minor units; `param` is its field's path, for the error. */
export function parseAmount(amount: number, param: string): number {
  if (!Number.isInteger(amount)) {
    throw new AppError('amount_not_integer', `${param} must be an integer in minor units.`, param);
  }
  if (amount < 0) throw new AppError('amount_negative', `${param} must not be negative.`, param);
  if (amount > MAX_AMOUNT)
    throw new AppError('amount_too_large', `${param} must be at most ${MAX_AMOUNT}.`, param);
  return amount;
}

/**
 * Checks an amount in minor units and its currency. `prefix` is the path of the object holding
 * them (`rewards.referrer`), empty at the top level, so errors name the exact field.
 */
export function parseMoney(amount: number, currency: string, prefix = ''): Money {
  const param = prefix ? `${prefix}.` : '';
  parseAmount(amount, `${param}amount`);
  const upper = currency.toUpperCase();
  if (upper !== currency || !isCurrency(currency)) {
    throw new AppError(
      'unknown_currency',
      `${param}currency '${currency}' is not an ISO 4217 code (uppercase) or ${POINTS}.`,
      `${param}currency`,
    );
  }
  return { amount, currency };
}

/** Digits after the decimal point in the currency's major unit (2 for USD, 0 for JPY and points). */
export function minorDigits(currency: string): number {
  if (currency === POINTS) return 0;
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/** Minor units as a plain decimal in the major unit ("1234.50"), as bank and PayPal files want. */
export function toDecimal(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const units = String(Math.abs(amount)).padStart(digits + 1, '0');
  return digits === 0 ? sign + units : `${sign}${units.slice(0, -digits)}.${units.slice(-digits)}`;
}

/**
 * A decimal amount in the major unit ("49.90", as Shopify sends prices) in minor units (4990),
 * exactly, without floating point. Null when it is not a plain non-negative decimal with at most
 * the currency's digits.
 */
export function fromDecimal(decimal: string, currency: string): number | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) return null;
  const digits = minorDigits(currency);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return null;
  const amount = Number(`${match[1]}${fraction.padEnd(digits, '0')}`);
  return Number.isSafeInteger(amount) ? amount : null;
}
