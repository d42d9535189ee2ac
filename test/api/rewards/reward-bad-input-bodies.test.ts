import { describe, it } from 'vitest';
import type { ErrorCode } from '../../../src/lib/errors.ts';
import { event } from '../../support/factories.ts';
import {
  expectRefused,
  fill,
  ids,
  payableProgram,
  qualifiedOrder,
  send,
  t,
  usd,
  useRewardFixtures,
} from '../../support/reward-fixtures.ts';

// Bad bodies for reversals, payout runs, the actions that take no body, and refunds: every refusal
// has the documented shape, status, code and param, and writes nothing.

useRewardFixtures();

describe('reversal bodies', () => {
  const url = '/v1/rewards/{reward}/reverse';
  it.each([
    ['an amount as a string', { amount: '100', reason: 'fraud' }, 'invalid_type', 'amount'],
    ['a null amount', { amount: null, reason: 'fraud' }, 'invalid_type', 'amount'],
    ['a boolean amount', { amount: true, reason: 'fraud' }, 'invalid_type', 'amount'],
    ['a fractional amount', { amount: 99.5, reason: 'fraud' }, 'amount_not_integer', 'amount'],
    ['a zero amount', { amount: 0, reason: 'fraud' }, 'value_too_small', 'amount'],
    ['a negative amount', { amount: -1, reason: 'fraud' }, 'value_too_small', 'amount'],
    ['an amount over the reward', { amount: 1001, reason: 'fraud' }, 'amount_exceeds_reward', 'amount'],
    ['no reason', { amount: 100 }, 'missing_field', 'reason'],
    ['reason refund (refunds come as events)', { reason: 'refund' }, 'invalid_value', 'reason'],
    ['an upper-case reason', { reason: 'FRAUD' }, 'invalid_value', 'reason'],
    ['a numeric reason', { reason: 1 }, 'invalid_type', 'reason'],
    ['an extra field', { reason: 'fraud', note: 'chargeback' }, 'unknown_field', 'note'],
    ['a currency', { amount: 100, currency: 'USD', reason: 'fraud' }, 'unknown_field', 'currency'],
    ['a list for a body', [{ reason: 'fraud' }], 'invalid_type', undefined],
    ['a string for a body', 'fraud', 'invalid_type', undefined],
    ['a number for a body', 100, 'invalid_type', undefined],
    ['null for a body', null, 'invalid_type', undefined],
  ] as [string, unknown, ErrorCode, string | undefined][])(
    'refuses %s (%j) with %s, and writes nothing',
    async (_name, body, code, param) => {
      await expectRefused(
        () => send('POST', url, body),
        code === 'amount_exceeds_reward' ? 422 : 400,
        code,
        param,
      );
    },
  );
});

describe('payout run bodies', () => {
  it.each([
    ['no program_id', { currency: 'USD' }, 400, 'missing_field', 'program_id'],
    ['no currency', { program_id: '{payable}' }, 400, 'missing_field', 'currency'],
    [
      'a lower-case currency',
      { program_id: '{payable}', currency: 'usd' },
      400,
      'unknown_currency',
      'currency',
    ],
    [
      'an unknown currency',
      { program_id: '{payable}', currency: 'XYZ' },
      400,
      'unknown_currency',
      'currency',
    ],
    ['a two-letter currency', { program_id: '{payable}', currency: 'US' }, 400, 'invalid_length', 'currency'],
    ['a numeric currency', { program_id: '{payable}', currency: 840 }, 400, 'invalid_type', 'currency'],
    ['a numeric program_id', { program_id: 7, currency: 'USD' }, 400, 'invalid_type', 'program_id'],
    ['an empty program_id', { program_id: '', currency: 'USD' }, 400, 'invalid_length', 'program_id'],
    ['an amount', { program_id: '{payable}', currency: 'USD', amount: 100 }, 400, 'unknown_field', 'amount'],
    [
      'a list of participants',
      { program_id: '{payable}', currency: 'USD', participant_ids: [] },
      400,
      'unknown_field',
      'participant_ids',
    ],
    [
      'a currency nobody earned',
      { program_id: '{payable}', currency: 'EUR' },
      422,
      'nothing_to_pay',
      'currency',
    ],
    ['a list for a body', [{ program_id: '{payable}', currency: 'USD' }], 400, 'invalid_type', undefined],
    ['a string for a body', 'USD', 400, 'invalid_type', undefined],
    ['null for a body', null, 400, 'invalid_type', undefined],
  ] as [string, unknown, number, ErrorCode, string | undefined][])(
    'refuses %s (%j) with %i %s, and writes nothing',
    async (_name, body, status, code, param) => {
      await expectRefused(() => send('POST', '/v1/payouts', body), status, code, param);
    },
  );
});

describe('bodies of actions that take none', () => {
  // Bodies are validated as sent and unknown fields refused (README, Errors): an approval or a
  // settlement must not silently drop what a client thought it was asking for.
  // Each on its own pending reward or open run, so one that is wrongly accepted spoils no other.
  const pendingReward = async () => `/v1/rewards/${(await qualifiedOrder()).rewards[0]}/approve`;
  const openRun = async (action: string) => {
    const { program } = await payableProgram();
    const run = await t.api('POST', '/v1/payouts', { program_id: program, currency: 'USD' });
    return `/v1/payouts/${run.body.id}/${action}`;
  };
  it.each([
    ['approve', { amount: 100 }, 'unknown_field', 'amount', pendingReward],
    ['approve', [1], 'invalid_type', undefined, pendingReward],
    ['approve', 'now', 'invalid_type', undefined, pendingReward],
    ['confirm', { paid_at: '2030-01-01T00:00:00Z' }, 'unknown_field', 'paid_at', () => openRun('confirm')],
    ['confirm', [], 'invalid_type', undefined, () => openRun('confirm')],
    ['cancel', { reason: 'typo' }, 'unknown_field', 'reason', () => openRun('cancel')],
  ] as [string, unknown, ErrorCode, string | undefined, () => Promise<string>][])(
    'POST %s with %j answers 400 %s and writes nothing',
    async (_action, body, code, param, target) => {
      const url = await target();
      await expectRefused(() => send('POST', url, body), 400, code, param);
    },
  );

  it.each([
    ['/v1/rewards/{reward}/reverse', '{"reason": "fraud",', 'application/json', 400, 'invalid_json'],
    ['/v1/rewards/{reward}/reverse', '', 'application/json', 400, 'invalid_json'],
    ['/v1/rewards/{reward}/reverse', '{"reason":"fraud"}', 'text/plain', 415, 'unsupported_media_type'],
    [
      '/v1/rewards/{reward}/reverse',
      'reason=fraud',
      'application/x-www-form-urlencoded',
      415,
      'unsupported_media_type',
    ],
    ['/v1/payouts', '{"program_id": ', 'application/json', 400, 'invalid_json'],
    ['/v1/payouts', '{"currency":"USD"}', 'text/plain', 415, 'unsupported_media_type'],
    [
      '/v1/payouts',
      JSON.stringify({ program_id: 'x'.repeat(64 * 1024), currency: 'USD' }),
      'application/json',
      413,
      'body_too_large',
    ],
  ] as [string, string, string, number, ErrorCode][])(
    'POST %s with %j as %s answers %i %s',
    async (url, payload, contentType, status, code) => {
      await expectRefused(
        async () => {
          const raw = await t.app.inject({
            method: 'POST',
            url: fill(url),
            headers: { authorization: `Bearer ${t.key}`, 'content-type': contentType },
            payload,
          });
          return { status: raw.statusCode, body: raw.json(), headers: raw.headers, raw };
        },
        status,
        code,
      );
    },
  );
});

describe('refunds', () => {
  const refund = (fields: Record<string, unknown>) =>
    event('refund', ids.friend as string, { ...usd(1000), purchase_external_id: ids.order, ...fields });
  it.each([
    ['a zero amount', { amount: 0 }, 'value_too_small', 'amount'],
    ['a negative amount', { amount: -500 }, 'amount_negative', 'amount'],
    ['a fractional amount', { amount: 10.5 }, 'amount_not_integer', 'amount'],
    ['an amount as a string', { amount: '500' }, 'invalid_type', 'amount'],
    ['a lower-case currency', { currency: 'usd' }, 'unknown_currency', 'currency'],
    ['an unknown currency', { currency: 'XYZ' }, 'unknown_currency', 'currency'],
    ['an empty purchase_external_id', { purchase_external_id: '' }, 'invalid_length', 'purchase_external_id'],
    [
      'a numeric purchase_external_id',
      { purchase_external_id: 1001 },
      'invalid_type',
      'purchase_external_id',
    ],
    ['a null purchase_external_id', { purchase_external_id: null }, 'invalid_type', 'purchase_external_id'],
    ['a reason', { reason: 'damaged' }, 'unknown_field', 'reason'],
  ] as [string, Record<string, unknown>, ErrorCode, string][])(
    'refuses a refund with %s (%j) with 400 %s, and reverses nothing',
    async (_name, fields, code, param) => {
      await expectRefused(() => send('POST', '/v1/events', refund(fields)), 400, code, param);
    },
  );
});
