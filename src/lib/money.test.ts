import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { fromDecimal, isCurrency, MAX_AMOUNT, parseMoney, toDecimal } from './money.ts';

function codeOf(run: () => unknown): { code: string; param: string | undefined } | null {
  try {
    run();
    return null;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { code: error.code, param: error.param };
  }
}

describe('money', () => {
  it.each(['USD', 'EUR', 'JPY', 'PTS'])('knows the currency %s', (code) => {
    expect(isCurrency(code)).toBe(true);
  });

  it.each(['XYZ', 'usd', 'US', ''])('does not know %j', (code) => {
    expect(isCurrency(code)).toBe(false);
  });

  it('accepts integer minor units, zero included', () => {
    expect(parseMoney(0, 'USD')).toEqual({ amount: 0, currency: 'USD' });
    expect(parseMoney(MAX_AMOUNT, 'EUR')).toEqual({ amount: MAX_AMOUNT, currency: 'EUR' });
  });

  it.each([
    [10.5, 'USD', 'amount_not_integer', 'rewards.referrer.amount'],
    [-1, 'USD', 'amount_negative', 'rewards.referrer.amount'],
    [MAX_AMOUNT + 1, 'USD', 'amount_too_large', 'rewards.referrer.amount'],
    [Number.NaN, 'USD', 'amount_not_integer', 'rewards.referrer.amount'],
    [100, 'usd', 'unknown_currency', 'rewards.referrer.currency'],
    [100, 'XYZ', 'unknown_currency', 'rewards.referrer.currency'],
  ])('refuses %s %s with %s naming %s', (amount, currency, code, param) => {
    expect(codeOf(() => parseMoney(amount, currency, 'rewards.referrer'))).toEqual({ code, param });
  });

  it('names top-level fields without a prefix', () => {
    expect(codeOf(() => parseMoney(-5, 'USD'))).toEqual({ code: 'amount_negative', param: 'amount' });
  });
});

describe('toDecimal', () => {
  it.each([
    [123450, 'USD', '1234.50'],
    [5, 'EUR', '0.05'],
    [-5, 'EUR', '-0.05'],
    [1500, 'JPY', '1500'],
    [1234, 'KWD', '1.234'],
    [700, 'PTS', '700'],
  ])('writes %i %s as %s', (amount, currency, decimal) => {
    expect(toDecimal(amount, currency)).toBe(decimal);
  });
});

describe('fromDecimal', () => {
  it.each([
    ['49.90', 'USD', 4990],
    ['49.9', 'USD', 4990],
    ['0.01', 'USD', 1],
    ['100', 'USD', 10000],
    ['500', 'JPY', 500],
    ['1.234', 'BHD', 1234],
    ['12.345', 'USD', null],
    ['-1.00', 'USD', null],
    ['1e3', 'USD', null],
    ['', 'USD', null],
    ['5.5', 'JPY', null],
  ])('reads %s %s as %s', (decimal, currency, expected) => {
    expect(fromDecimal(decimal, currency)).toBe(expected);
  });
});
