import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, errorType } from '../../src/lib/errors.ts';
import { createApiKey, revokeApiKey } from '../../src/services/api-keys.ts';
import { verifyLedger } from '../../src/services/ledger.ts';
import { createTestApp, type Reply, type TestApp } from '../support/app.ts';
import { event, makeParticipant, makeProgram, programBody, unique } from '../support/factories.ts';
import { countRows } from '../support/tables.ts';

// Bad input to the reward, payout, tax-report and audit routes, and to the rules and refunds
// that feed them: every refusal has the documented shape, status, code and param, and writes nothing.

let t: TestApp;
let revokedKey: string;
/** Fixtures, filled into URLs and bodies as {name}. */
const ids: Record<string, string> = {};

const usd = (amount: number) => ({ amount, currency: 'USD' });

/** A referrer, a friend they referred and the friend's first order; the rewards it earned. */
async function qualifiedOrder(overrides: Record<string, unknown> = {}) {
  const program = await makeProgram(t, { rewards: { referrer: usd(1000), referee: usd(500) }, ...overrides });
  const referrer = await makeParticipant(t, program.id);
  const friend = unique('friend');
  await t.api('POST', '/v1/events', event('signup', friend, { referral: { code: referrer.referral_code } }));
  const order = unique('order');
  const res = await t.api('POST', '/v1/events', {
    ...event('purchase', friend, usd(10_000)),
    external_id: order,
  });
  expect(res.body.result.outcome).toBe('referral_qualified');
  const [referrerReward, refereeReward] = res.body.result.reward_ids as [string, string];
  return { program: program.id, friend, order, rewards: [referrerReward, refereeReward] as const };
}

/** A program whose rewards are approved (available), ready for a payout run. */
async function payableProgram() {
  const order = await qualifiedOrder({ reward_hold_days: 0 });
  for (const id of order.rewards) expect((await t.api('POST', `/v1/rewards/${id}/approve`)).status).toBe(200);
  return order;
}

beforeAll(async () => {
  t = await createTestApp();
  const held = await qualifiedOrder();
  ids.program = held.program;
  ids.reward = held.rewards[0];
  ids.reward2 = held.rewards[1];
  ids.friend = held.friend;
  ids.order = held.order;
  const paid = await payableProgram();
  ids.payout = (await t.api('POST', '/v1/payouts', { program_id: paid.program, currency: 'USD' })).body.id;
  ids.payable = (await payableProgram()).program;
  const { key, plaintext } = await createApiKey(t.store.db, 'to revoke', new Date());
  await revokeApiKey(t.store.db, key.id, new Date());
  revokedKey = plaintext;
});
afterAll(() => t.close());

const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? `{${name}}`);
const fillBody = (body: unknown): unknown =>
  body === undefined ? undefined : JSON.parse(fill(JSON.stringify(body)));

type Method = 'GET' | 'POST' | 'PATCH';

/** Sends a raw payload (any JSON value, or none) with the test key unless `headers` says otherwise. */
async function send(method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const raw = await t.app.inject({
    method,
    url: fill(url),
    headers: {
      authorization: `Bearer ${t.key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(fillBody(body)) }),
  });
  let parsed: unknown = raw.body;
  try {
    parsed = JSON.parse(raw.body);
  } catch {
    // Not JSON (a CSV): keep the text.
  }
  return { status: raw.statusCode, body: parsed, headers: raw.headers, raw } as Reply;
}

/** The documented error shape, exactly: no param when none is expected, never a stack. */
function expectError(res: Reply, status: number, code: ErrorCode, param?: string) {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: {
      error: {
        type: errorType(code),
        code,
        message: expect.any(String),
        ...(param === undefined ? {} : { param }),
      },
    },
  });
}

/** Sends the request and checks it is refused as documented, with nothing written anywhere. */
async function expectRefused(
  request: () => Promise<Reply>,
  status: number,
  code: ErrorCode,
  param?: string,
): Promise<Reply> {
  const before = await countRows(t.store.db);
  const res = await request();
  expectError(res, status, code, param);
  expect(await countRows(t.store.db)).toEqual(before);
  return res;
}

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

describe('query strings', () => {
  const tax = '/v1/programs/{program}/tax_report';
  it.each([
    [`${tax}?year=abc`, 'invalid_type', 'year'],
    [`${tax}?year=2030.5`, 'invalid_type', 'year'],
    [`${tax}?year=1999`, 'value_too_small', 'year'],
    [`${tax}?year=2101`, 'value_too_large', 'year'],
    [tax, 'missing_field', 'year'],
    [`${tax}?year=2030&currency=USD`, 'unknown_field', 'currency'],
    ['/v1/payouts?limit=0', 'value_too_small', 'limit'],
    ['/v1/payouts?limit=101', 'value_too_large', 'limit'],
    ['/v1/payouts?limit=ten', 'invalid_type', 'limit'],
    ['/v1/payouts?program_id=', 'invalid_length', 'program_id'],
    ['/v1/payouts?starting_after=', 'invalid_length', 'starting_after'],
    ['/v1/payouts?status=bogus', 'unknown_field', 'status'],
    ['/v1/audit_log?subject_id=', 'invalid_length', 'subject_id'],
    [`/v1/audit_log?subject_id=${'s'.repeat(65)}`, 'invalid_length', 'subject_id'],
    ['/v1/audit_log?limit=0', 'value_too_small', 'limit'],
    ['/v1/audit_log?limit=-3', 'value_too_small', 'limit'],
    ['/v1/audit_log?actor=system', 'unknown_field', 'actor'],
    ['/v1/rewards?status=bogus', 'invalid_value', 'status'],
    ['/v1/rewards?status=PENDING', 'invalid_value', 'status'],
    ['/v1/rewards?participant_id=', 'invalid_length', 'participant_id'],
    ['/v1/rewards?limit=0', 'value_too_small', 'limit'],
  ] as [string, ErrorCode, string][])('GET %s answers 400 %s naming %s', async (url, code, param) => {
    await expectRefused(() => send('GET', url), 400, code, param);
  });
});

describe('program rules and payout settings', () => {
  type Body = Record<string, unknown>;
  const referee = (spec: unknown) => ({ rewards: { referrer: usd(1000), referee: spec } });
  const share = (extra: Body = {}) => referee({ basis_points: 1000, currency: 'USD', ...extra });
  const tier = (from_referral: unknown, reward: unknown = usd(1500)) => ({ from_referral, reward });
  const milestone = (at_referral: unknown, reward: unknown = usd(10_000)) => ({ at_referral, reward });
  const tiers = (...items: unknown[]) => ({ rewards: { referrer: usd(1000), referrer_tiers: items } });
  const milestones = (...items: unknown[]) => ({ rewards: { referrer: usd(1000), milestones: items } });

  // [case, fields, code, param]; each is sent on create (over a valid program) and as a PATCH.
  const rows: [string, Body, ErrorCode, string][] = [
    ['a negative hold', { reward_hold_days: -1 }, 'value_too_small', 'reward_hold_days'],
    ['a hold over a year', { reward_hold_days: 366 }, 'value_too_large', 'reward_hold_days'],
    ['a hold as a string', { reward_hold_days: '5' }, 'invalid_type', 'reward_hold_days'],
    ['a fractional hold', { reward_hold_days: 1.5 }, 'invalid_type', 'reward_hold_days'],
    ['a null hold', { reward_hold_days: null }, 'invalid_type', 'reward_hold_days'],
    [
      'a lower-case minimum currency',
      { payout_minimums: { usd: 5 } },
      'unknown_currency',
      'payout_minimums.usd',
    ],
    [
      'an unknown minimum currency',
      { payout_minimums: { XYZ: 5 } },
      'unknown_currency',
      'payout_minimums.XYZ',
    ],
    ['a negative minimum', { payout_minimums: { USD: -1 } }, 'amount_negative', 'payout_minimums.USD'],
    ['a fractional minimum', { payout_minimums: { USD: 1.5 } }, 'amount_not_integer', 'payout_minimums.USD'],
    ['a minimum as a string', { payout_minimums: { USD: '5' } }, 'invalid_type', 'payout_minimums.USD'],
    ['a huge minimum', { payout_minimums: { USD: 1e13 } }, 'amount_too_large', 'payout_minimums.USD'],
    ['minimums as a list', { payout_minimums: [5000] }, 'invalid_type', 'payout_minimums'],
    ['minimums as a number', { payout_minimums: 5000 }, 'invalid_type', 'payout_minimums'],
    [
      'a lower-case threshold currency',
      { tax_reporting_thresholds: { usd: 60_000 } },
      'unknown_currency',
      'tax_reporting_thresholds.usd',
    ],
    [
      'a negative threshold',
      { tax_reporting_thresholds: { USD: -1 } },
      'amount_negative',
      'tax_reporting_thresholds.USD',
    ],
    [
      'a fractional threshold',
      { tax_reporting_thresholds: { USD: 0.5 } },
      'amount_not_integer',
      'tax_reporting_thresholds.USD',
    ],
    [
      'a threshold as a string',
      { tax_reporting_thresholds: { USD: '60000' } },
      'invalid_type',
      'tax_reporting_thresholds.USD',
    ],
    [
      'a negative monthly cap amount',
      { caps: { referrer_monthly: { amount: usd(-1) } } },
      'amount_negative',
      'caps.referrer_monthly.amount.amount',
    ],
    [
      'a fractional monthly cap amount',
      { caps: { referrer_monthly: { amount: usd(1.5) } } },
      'amount_not_integer',
      'caps.referrer_monthly.amount.amount',
    ],
    [
      'a lower-case cap currency',
      { caps: { referrer_monthly: { amount: { amount: 100, currency: 'usd' } } } },
      'unknown_currency',
      'caps.referrer_monthly.amount.currency',
    ],
    ['an empty cap', { caps: { referrer_monthly: {} } }, 'missing_field', 'caps.referrer_monthly.count'],
    [
      'a zero lifetime count',
      { caps: { referrer_lifetime: { count: 0 } } },
      'value_too_small',
      'caps.referrer_lifetime.count',
    ],
    [
      'a lifetime count as a string',
      { caps: { referrer_lifetime: { count: '5' } } },
      'invalid_type',
      'caps.referrer_lifetime.count',
    ],
    [
      'a budget without currency',
      { caps: { program_monthly_budget: { amount: 100 } } },
      'missing_field',
      'caps.program_monthly_budget.currency',
    ],
    [
      'a negative budget',
      { caps: { program_monthly_budget: usd(-100) } },
      'amount_negative',
      'caps.program_monthly_budget.amount',
    ],
    ['an unknown cap', { caps: { referrer_weekly: { count: 1 } } }, 'unknown_field', 'caps.referrer_weekly'],
    [
      'a refund as qualifying event',
      { qualification: { event: 'refund' } },
      'invalid_value',
      'qualification.event',
    ],
    [
      'purchase number 0',
      { qualification: { purchase_number: 0 } },
      'value_too_small',
      'qualification.purchase_number',
    ],
    [
      'purchase number as a string',
      { qualification: { purchase_number: '2' } },
      'invalid_type',
      'qualification.purchase_number',
    ],
    [
      'a negative minimum order',
      { qualification: { min_order: usd(-5) } },
      'amount_negative',
      'qualification.min_order.amount',
    ],
    [
      'new_customers_only as a string',
      { qualification: { new_customers_only: 'yes' } },
      'invalid_type',
      'qualification.new_customers_only',
    ],
    [
      'an unknown qualification field',
      { qualification: { first_only: true } },
      'unknown_field',
      'qualification.first_only',
    ],
    ['a share with an amount too', share({ amount: 100 }), 'invalid_value', 'rewards.referee.amount'],
    [
      'a reward with neither amount nor share',
      referee({ currency: 'USD' }),
      'missing_field',
      'rewards.referee.amount',
    ],
    [
      'basis points as a string',
      referee({ basis_points: '1000', currency: 'USD' }),
      'invalid_type',
      'rewards.referee.basis_points',
    ],
    [
      'fractional basis points',
      referee({ basis_points: 10.5, currency: 'USD' }),
      'invalid_type',
      'rewards.referee.basis_points',
    ],
    ['zero basis points', share({ basis_points: 0 }), 'value_too_small', 'rewards.referee.basis_points'],
    [
      'basis points over 100%',
      share({ basis_points: 10_001 }),
      'value_too_large',
      'rewards.referee.basis_points',
    ],
    ['a negative share minimum', share({ min_amount: -1 }), 'amount_negative', 'rewards.referee.min_amount'],
    [
      'a fractional share maximum',
      share({ max_amount: 2.5 }),
      'amount_not_integer',
      'rewards.referee.max_amount',
    ],
    [
      'a share maximum below its minimum',
      share({ min_amount: 600, max_amount: 500 }),
      'invalid_value',
      'rewards.referee.max_amount',
    ],
    [
      'a lower-case share currency',
      share({ currency: 'usd' }),
      'unknown_currency',
      'rewards.referee.currency',
    ],
    [
      'a minimum on a fixed reward',
      referee({ ...usd(500), min_amount: 100 }),
      'invalid_value',
      'rewards.referee.min_amount',
    ],
    [
      'a share when sign-ups qualify',
      { ...share(), qualification: { event: 'signup' } },
      'invalid_value',
      'rewards.referee.basis_points',
    ],
    ['a tier from referral 0', tiers(tier(0)), 'value_too_small', 'rewards.referrer_tiers.0.from_referral'],
    [
      'tiers out of order',
      tiers(tier(3), tier(3)),
      'invalid_value',
      'rewards.referrer_tiers.1.from_referral',
    ],
    [
      'a tier without reward',
      tiers({ from_referral: 2 }),
      'missing_field',
      'rewards.referrer_tiers.0.reward',
    ],
    [
      'a negative tier reward',
      tiers(tier(2, usd(-1))),
      'amount_negative',
      'rewards.referrer_tiers.0.reward.amount',
    ],
    [
      'tiers as an object',
      { rewards: { referrer: usd(1), referrer_tiers: {} } },
      'invalid_type',
      'rewards.referrer_tiers',
    ],
    [
      'a milestone at referral "10"',
      milestones(milestone('10')),
      'invalid_type',
      'rewards.milestones.0.at_referral',
    ],
    [
      'milestones out of order',
      milestones(milestone(5), milestone(2)),
      'invalid_value',
      'rewards.milestones.1.at_referral',
    ],
    [
      'a milestone paid as a share',
      milestones(milestone(5, { ...usd(100), basis_points: 10 })),
      'unknown_field',
      'rewards.milestones.0.reward.basis_points',
    ],
    [
      'a fractional milestone',
      milestones(milestone(5, usd(0.5))),
      'amount_not_integer',
      'rewards.milestones.0.reward.amount',
    ],
    [
      'an unknown rewards field',
      { rewards: { referrer: usd(1), referrer_tier: [] } },
      'unknown_field',
      'rewards.referrer_tier',
    ],
  ];
  const cases = rows.flatMap(([name, fields, code, param]) => [
    { route: 'POST /v1/programs', name, body: programBody(fields), code, param },
    { route: 'PATCH /v1/programs/{program}', name, body: fields, code, param },
  ]);

  it.each(cases)('$route with $name answers 400 $code naming $param, and writes nothing', async (c) => {
    const [method, url] = c.route.split(' ') as [Method, string];
    await expectRefused(() => send(method, url, c.body), 400, c.code, c.param);
  });

  it('rolls back a PATCH whose new rules were valid but whose minimum was not', async () => {
    const before = (await t.api('GET', `/v1/programs/${ids.program}`)).body;

    await expectRefused(
      () =>
        send('PATCH', '/v1/programs/{program}', {
          rewards: { referrer: usd(2000), referee: null },
          payout_minimums: { USD: -1 },
        }),
      400,
      'amount_negative',
      'payout_minimums.USD',
    );

    expect((await t.api('GET', `/v1/programs/${ids.program}`)).body).toEqual(before);
  });
});

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

describe('Idempotency-Key', () => {
  const withKey = (key: string) => ({ 'idempotency-key': key });
  const rewardOf = async (id: string) => (await t.api('GET', `/v1/rewards/${id}`)).body;

  it('replays a reversal for the same key and body, reversing once, and refuses another body', async () => {
    const { rewards } = await qualifiedOrder();
    const url = `/v1/rewards/${rewards[0]}/reverse`;
    const key = unique('key');

    const first = await send('POST', url, { amount: 100, reason: 'fraud' }, withKey(key));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ reversed_amount: 100, status: 'pending' });
    const after = await countRows(t.store.db);

    const other = await expectRefused(
      () => send('POST', url, { amount: 200, reason: 'fraud' }, withKey(key)),
      409,
      'idempotency_key_reused',
      'Idempotency-Key',
    );
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    const replay = await send('POST', url, { reason: 'fraud', amount: 100 }, withKey(key));

    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await countRows(t.store.db)).toEqual(after);
    expect(await rewardOf(rewards[0])).toMatchObject({ reversed_amount: 100 });
  });

  it('replays a full reversal instead of answering reward_already_reversed', async () => {
    const { rewards } = await qualifiedOrder();
    const url = `/v1/rewards/${rewards[1]}/reverse`;
    const key = unique('key');
    const first = await send('POST', url, { reason: 'duplicate' }, withKey(key));
    const after = await countRows(t.store.db);

    const replay = await send('POST', url, { reason: 'duplicate' }, withKey(key));

    expect(first.body).toMatchObject({ status: 'reversed', reversed_amount: 500 });
    expect(replay).toMatchObject({ status: 200, body: first.body });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await countRows(t.store.db)).toEqual(after);
  });

  it('replays a payout run for the same key and body, opening one run, and refuses another body', async () => {
    const { program } = await payableProgram();
    const key = unique('key');

    const first = await send('POST', '/v1/payouts', { program_id: program, currency: 'USD' }, withKey(key));
    expect(first.status).toBe(201);
    const after = await countRows(t.store.db);

    await expectRefused(
      () => send('POST', '/v1/payouts', { program_id: program, currency: 'EUR' }, withKey(key)),
      409,
      'idempotency_key_reused',
      'Idempotency-Key',
    );
    await expectRefused(
      () => send('POST', '/v1/payouts', { program_id: ids.payable, currency: 'USD' }, withKey(key)),
      409,
      'idempotency_key_reused',
      'Idempotency-Key',
    );
    const replay = await send('POST', '/v1/payouts', { currency: 'USD', program_id: program }, withKey(key));

    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await countRows(t.store.db)).toEqual(after);
    const { data } = (await t.api('GET', `/v1/payouts?program_id=${program}`)).body;
    expect(data.map((p: { id: string }) => p.id)).toEqual([first.body.id]);
  });

  it('refuses a key used on one route when it comes back on another', async () => {
    const { rewards } = await qualifiedOrder();
    const key = unique('key');
    await send('POST', `/v1/rewards/${rewards[0]}/approve`, undefined, withKey(key));

    await expectRefused(
      () => send('POST', `/v1/rewards/${rewards[0]}/reverse`, { reason: 'fraud' }, withKey(key)),
      409,
      'idempotency_key_reused',
      'Idempotency-Key',
    );
    await expectRefused(
      () => send('POST', `/v1/rewards/${rewards[1]}/approve`, undefined, withKey(key)),
      409,
      'idempotency_key_reused',
      'Idempotency-Key',
    );
    expect(await rewardOf(rewards[0])).toMatchObject({ status: 'approved', reversed_amount: 0 });
    expect(await rewardOf(rewards[1])).toMatchObject({ status: 'pending' });
  });

  it('stores nothing for a refused request, so the corrected one can reuse its key', async () => {
    const { rewards } = await qualifiedOrder();
    const url = `/v1/rewards/${rewards[0]}/reverse`;
    const key = unique('key');

    await expectRefused(
      () => send('POST', url, { amount: 5000, reason: 'fraud' }, withKey(key)),
      422,
      'amount_exceeds_reward',
      'amount',
    );
    await expectRefused(
      () => send('POST', url, { amount: '50', reason: 'fraud' }, withKey(key)),
      400,
      'invalid_type',
      'amount',
    );
    const corrected = await send('POST', url, { amount: 50, reason: 'fraud' }, withKey(key));

    expect(corrected.status).toBe(200);
    expect(corrected.headers['idempotent-replayed']).toBeUndefined();
    expect(corrected.body.reversed_amount).toBe(50);
  });

  it('refuses a key over 255 characters, and writes nothing', async () => {
    await expectRefused(
      () =>
        send('POST', '/v1/payouts', { program_id: '{payable}', currency: 'USD' }, withKey('k'.repeat(256))),
      400,
      'invalid_value',
      'Idempotency-Key',
    );
  });
});

describe('GET /openapi.json', () => {
  let doc: any;
  beforeAll(async () => {
    doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });

  // The generic check that every error response uses the Error schema is in openapi.test.ts.
  it.each([
    ['get', '/v1/rewards/{id}', ['200', '401', '404']],
    ['post', '/v1/rewards/{id}/approve', ['200', '401', '404', '409']],
    ['post', '/v1/rewards/{id}/reverse', ['200', '400', '401', '404', '409', '422']],
    ['post', '/v1/payouts', ['201', '400', '401', '404', '409', '422']],
    ['get', '/v1/payouts', ['200', '400', '401']],
    ['get', '/v1/payouts/{id}', ['200', '401', '404']],
    ['get', '/v1/payouts/{id}/items.csv', ['200', '401', '404']],
    ['post', '/v1/payouts/{id}/confirm', ['200', '401', '404', '409']],
    ['post', '/v1/payouts/{id}/cancel', ['200', '401', '404', '409']],
    ['get', '/v1/programs/{id}/tax_report', ['200', '400', '401', '404']],
    ['get', '/v1/audit_log', ['200', '400', '401']],
  ])('documents %s %s with its error responses', (method, path, statuses) => {
    const operation = doc.paths[path]?.[method];
    expect(operation, `${method} ${path}`).toBeDefined();
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(statuses));
    for (const status of statuses.filter((s) => Number(s) >= 400)) {
      expect(operation.responses[status].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/Error',
      );
    }
  });

  it('documents the new program fields, the refund reference and the query parameters', () => {
    const bodyOf = (path: string, method: string) =>
      doc.paths[path][method].requestBody.content['application/json'].schema;
    for (const [path, method] of [
      ['/v1/programs', 'post'],
      ['/v1/programs/{id}', 'patch'],
    ] as const) {
      expect(Object.keys(bodyOf(path, method).properties)).toEqual(
        expect.arrayContaining([
          'reward_hold_days',
          'payout_minimums',
          'tax_reporting_thresholds',
          'qualification',
          'caps',
        ]),
      );
    }
    expect(bodyOf('/v1/events', 'post').properties).toHaveProperty('purchase_external_id');
    expect(bodyOf('/v1/rewards/{id}/reverse', 'post').required).toEqual(['reason']);
    const parameters = (path: string) =>
      Object.fromEntries(
        doc.paths[path].get.parameters.map((p: { name: string; required?: boolean }) => [p.name, p]),
      );
    expect(parameters('/v1/programs/{id}/tax_report').year).toMatchObject({ in: 'query', required: true });
    expect(parameters('/v1/audit_log').subject_id).toMatchObject({ in: 'query' });
    expect(parameters('/v1/payouts').program_id).toMatchObject({ in: 'query' });
  });
});

describe('after all the refusals', () => {
  it('leaves the ledger whole', async () => {
    expect((await verifyLedger(t.store.db)).problems).toEqual([]);
  });
});
