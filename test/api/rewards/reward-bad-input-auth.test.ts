import { describe, expect, it } from 'vitest';
import {
  expectRefused,
  fill,
  fillBody,
  ids,
  type Method,
  revokedKey,
  send,
  t,
  useRewardFixtures,
} from '../../support/reward-fixtures.ts';

// Bad input to the reward, payout, tax-report and audit routes: a missing, wrong or revoked key,
// and ids that name nothing. Every refusal has the documented shape, status and code, and writes nothing.

useRewardFixtures();

// [method, url, valid body]: every new route, with a request that would succeed with a valid key.
const ROUTES: [Method, string, unknown][] = [
  ['GET', '/v1/rewards/{reward}', undefined],
  ['POST', '/v1/rewards/{reward}/approve', undefined],
  ['POST', '/v1/rewards/{reward}/reverse', { reason: 'fraud' }],
  ['POST', '/v1/payouts', { program_id: '{payable}', currency: 'USD' }],
  ['GET', '/v1/payouts', undefined],
  ['GET', '/v1/payouts/{payout}', undefined],
  ['GET', '/v1/payouts/{payout}/items.csv', undefined],
  ['POST', '/v1/payouts/{payout}/confirm', undefined],
  ['POST', '/v1/payouts/{payout}/cancel', undefined],
  ['GET', '/v1/programs/{program}/tax_report?year=2030', undefined],
  ['GET', '/v1/audit_log?subject_id={reward}', undefined],
];

describe('authentication', () => {
  const cases = ROUTES.flatMap(([method, url, body]) =>
    (
      [
        ['no Authorization header', () => ({}), 'missing_api_key'],
        [
          'an unknown key',
          () => ({ authorization: 'Bearer sk_00000000000000000000000000000000' }),
          'invalid_api_key',
        ],
        ['another scheme', () => ({ authorization: `Basic ${t.key}` }), 'invalid_api_key'],
        ['a revoked key', () => ({ authorization: `Bearer ${revokedKey}` }), 'invalid_api_key'],
      ] as const
    ).map(([who, headers, code]) => ({ method, url, body, who, headers, code })),
  );

  it.each(cases)('refuses $method $url with $who (401 $code) and writes nothing', async (c) => {
    const headers: Record<string, string> = c.headers();
    const res = await expectRefused(
      () =>
        t.app
          .inject({
            method: c.method,
            url: fill(c.url),
            headers,
            ...(c.body === undefined ? {} : { payload: fillBody(c.body) as object }),
          })
          .then((raw) => ({ status: raw.statusCode, body: raw.json(), headers: raw.headers, raw })),
      401,
      c.code,
    );
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it('leaves the reward and the payout as they were', async () => {
    expect((await t.api('GET', `/v1/rewards/${ids.reward}`)).body).toMatchObject({
      status: 'pending',
      reversed_amount: 0,
    });
    expect((await t.api('GET', `/v1/payouts/${ids.payout}`)).body.status).toBe('pending');
  });
});

describe('ids that name nothing', () => {
  it.each([
    ['GET', '/v1/rewards/rwd_missing', undefined, undefined],
    ['POST', '/v1/rewards/rwd_missing/approve', undefined, undefined],
    ['POST', '/v1/rewards/rwd_missing/reverse', { reason: 'fraud' }, undefined],
    ['POST', '/v1/rewards/rwd_missing/reverse', { amount: 100, reason: 'other' }, undefined],
    ['GET', '/v1/payouts/pay_missing', undefined, undefined],
    ['GET', '/v1/payouts/{reward}', undefined, undefined],
    ['GET', '/v1/payouts/pay_missing/items.csv', undefined, undefined],
    ['POST', '/v1/payouts/pay_missing/confirm', undefined, undefined],
    ['POST', '/v1/payouts/pay_missing/cancel', undefined, undefined],
    ['GET', '/v1/rewards/{payout}', undefined, undefined],
    ['POST', '/v1/rewards/{payout}/approve', undefined, undefined],
    ['GET', '/v1/programs/prg_missing/tax_report?year=2030', undefined, undefined],
    ['GET', '/v1/programs/{reward}/tax_report?year=2030', undefined, undefined],
    ['POST', '/v1/payouts', { program_id: 'prg_missing', currency: 'USD' }, 'program_id'],
    ['POST', '/v1/payouts', { program_id: '{reward}', currency: 'USD' }, 'program_id'],
  ] as [Method, string, unknown, string | undefined][])(
    '%s %s %j answers 404 resource_missing and writes nothing',
    async (method, url, body, param) => {
      await expectRefused(() => send(method, url, body), 404, 'resource_missing', param);
    },
  );

  it.each([
    ['POST', '/v1/rewards/{reward}/refund'],
    ['POST', '/v1/payouts/{payout}/pay'],
    ['GET', '/v1/payouts/{payout}/items.json'],
  ] as [Method, string][])('%s %s is no route (404 not_found)', async (method, url) => {
    await expectRefused(() => send(method, url), 404, 'not_found');
  });

  it.each([
    ['GET', '/v1/rewards/'],
    ['GET', '/v1/payouts/'],
    ['GET', `/v1/rewards/${'r'.repeat(65)}`],
    ['POST', `/v1/rewards/${'r'.repeat(65)}/approve`],
    ['GET', `/v1/payouts/${'p'.repeat(65)}`],
    ['POST', `/v1/payouts/${'p'.repeat(65)}/confirm`],
    ['GET', `/v1/programs/${'p'.repeat(65)}/tax_report?year=2030`],
  ] as [Method, string][])(
    '%s %s, an empty id or one over 64 characters, answers 400 invalid_length id',
    async (method, url) => {
      await expectRefused(() => send(method, url), 400, 'invalid_length', 'id');
    },
  );
});
