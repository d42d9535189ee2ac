import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../../src/services/access/api-keys.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { makeParticipant, makeProgram, programBody, unique } from '../../support/factories.ts';
import { countRows } from '../../support/tables.ts';

let t: TestApp;
let programId: string;
let participantId: string;
let takenCode: string;
beforeAll(async () => {
  t = await createTestApp();
  programId = (await makeProgram(t)).id;
  participantId = (await makeParticipant(t, programId)).id;
  takenCode = (await makeParticipant(t, programId)).referral_code;
});
afterAll(() => t.close());

/** Fills {program} and {participant} in a URL or body with the fixtures of this file. */
const fill = (url: string) =>
  url.replaceAll('{program}', programId).replaceAll('{participant}', participantId);
const fillBody = (body: unknown): unknown => JSON.parse(fill(JSON.stringify(body)));

type Body = Record<string, unknown>;
const program = (overrides: Body = {}) => programBody(overrides);
const programWithout = (field: string) => {
  const body: Body = programBody();
  delete body[field];
  return body;
};
const referrer = (reward: unknown) => programBody({ rewards: { referrer: reward, referee: null } });
const participant = (overrides: Body = {}) => ({
  program_id: '{program}',
  external_id: unique('user'),
  ...overrides,
});
const signup = (overrides: Body = {}) => ({
  type: 'signup',
  external_id: unique('signup'),
  customer: { external_id: unique('customer') },
  ...overrides,
});

function expectErrorShape(body: unknown) {
  expect(body).toEqual({
    error: expect.objectContaining({
      type: expect.any(String),
      code: expect.any(String),
      message: expect.any(String),
    }),
  });
  const keys = Object.keys((body as { error: object }).error);
  for (const key of keys) expect(['type', 'code', 'message', 'param', 'request_id']).toContain(key);
}

describe('malformed bodies', () => {
  // [endpoint, case, body, status, code, param]
  const rows: [string, string, unknown, number, string, string | undefined][] = [
    ['POST /v1/programs', 'no name', programWithout('name'), 400, 'missing_field', 'name'],
    ['POST /v1/programs', 'an empty name', program({ name: '' }), 400, 'invalid_length', 'name'],
    ['POST /v1/programs', 'a number for name', program({ name: 42 }), 400, 'invalid_type', 'name'],
    ['POST /v1/programs', 'null for name', program({ name: null }), 400, 'invalid_type', 'name'],
    ['POST /v1/programs', 'no rewards', programWithout('rewards'), 400, 'missing_field', 'rewards'],
    [
      'POST /v1/programs',
      'no reward on either side',
      program({ rewards: {} }),
      400,
      'missing_field',
      'rewards',
    ],
    [
      'POST /v1/programs',
      'a string for an amount',
      referrer({ amount: '1000', currency: 'USD' }),
      400,
      'invalid_type',
      'rewards.referrer.amount',
    ],
    [
      'POST /v1/programs',
      'a fractional amount',
      referrer({ amount: 10.5, currency: 'USD' }),
      400,
      'amount_not_integer',
      'rewards.referrer.amount',
    ],
    [
      'POST /v1/programs',
      'a negative amount',
      referrer({ amount: -1, currency: 'USD' }),
      400,
      'amount_negative',
      'rewards.referrer.amount',
    ],
    [
      'POST /v1/programs',
      'an unknown currency',
      referrer({ amount: 100, currency: 'ABC' }),
      400,
      'unknown_currency',
      'rewards.referrer.currency',
    ],
    [
      'POST /v1/programs',
      'an unknown reward field',
      referrer({ amount: 100, currency: 'USD', cap: 5 }),
      400,
      'unknown_field',
      'rewards.referrer.cap',
    ],
    [
      'POST /v1/programs',
      'a string for the window',
      program({ attribution_window_days: '30' }),
      400,
      'invalid_type',
      'attribution_window_days',
    ],
    [
      'POST /v1/programs',
      'a zero window',
      program({ attribution_window_days: 0 }),
      400,
      'value_too_small',
      'attribution_window_days',
    ],
    [
      'POST /v1/programs',
      'a window over a year',
      program({ attribution_window_days: 366 }),
      400,
      'value_too_large',
      'attribution_window_days',
    ],
    [
      'POST /v1/programs',
      'a landing URL that is no URL',
      program({ landing_url: 'shop' }),
      400,
      'invalid_format',
      'landing_url',
    ],
    [
      'POST /v1/programs',
      'a javascript: landing URL',
      program({ landing_url: 'javascript:alert(1)' }),
      400,
      'invalid_url',
      'landing_url',
    ],
    [
      'POST /v1/programs',
      'a landing URL with credentials',
      program({ landing_url: 'https://u:p@shop.example.com/' }),
      400,
      'invalid_url',
      'landing_url',
    ],
    ['POST /v1/programs', 'an unknown field', program({ owner: 'me' }), 400, 'unknown_field', 'owner'],
    [
      'POST /v1/programs',
      'a status (not settable on create)',
      program({ status: 'active' }),
      400,
      'unknown_field',
      'status',
    ],
    ['POST /v1/programs', 'an array for the body', [programBody()], 400, 'invalid_type', undefined],
    [
      'PATCH /v1/programs/{program}',
      'an unknown status',
      { status: 'deleted' },
      400,
      'invalid_value',
      'status',
    ],
    ['PATCH /v1/programs/{program}', 'null for name', { name: null }, 400, 'invalid_type', 'name'],
    [
      'PATCH /v1/programs/{program}',
      'no reward on either side',
      { rewards: { referrer: null, referee: null } },
      400,
      'missing_field',
      'rewards',
    ],
    ['PATCH /v1/programs/{program}', 'an unknown field', { id: 'prg_other' }, 400, 'unknown_field', 'id'],
    [
      'PATCH /v1/programs/prg_missing',
      'an unknown program',
      { name: 'x' },
      404,
      'resource_missing',
      undefined,
    ],
    ['POST /v1/participants', 'no program_id', { external_id: 'u1' }, 400, 'missing_field', 'program_id'],
    [
      'POST /v1/participants',
      'null for program_id',
      participant({ program_id: null }),
      400,
      'invalid_type',
      'program_id',
    ],
    [
      'POST /v1/participants',
      'a number for external_id',
      participant({ external_id: 42 }),
      400,
      'invalid_type',
      'external_id',
    ],
    [
      'POST /v1/participants',
      'an external_id over 255 characters',
      participant({ external_id: 'x'.repeat(256) }),
      400,
      'invalid_length',
      'external_id',
    ],
    [
      'POST /v1/participants',
      'a malformed email',
      participant({ email: 'not-an-email' }),
      400,
      'invalid_format',
      'email',
    ],
    [
      'POST /v1/participants',
      'a name over 200 characters',
      participant({ name: 'n'.repeat(201) }),
      400,
      'invalid_length',
      'name',
    ],
    [
      'POST /v1/participants',
      'a referral code (set it with PATCH)',
      participant({ referral_code: 'MINE' }),
      400,
      'unknown_field',
      'referral_code',
    ],
    [
      'POST /v1/participants',
      'an unknown program',
      participant({ program_id: 'prg_missing' }),
      404,
      'resource_missing',
      'program_id',
    ],
    [
      'PATCH /v1/participants/{participant}',
      'a code with a space',
      { referral_code: 'my code' },
      400,
      'invalid_code',
      'referral_code',
    ],
    [
      'PATCH /v1/participants/{participant}',
      'an empty code',
      { referral_code: '' },
      400,
      'invalid_length',
      'referral_code',
    ],
    [
      'PATCH /v1/participants/{participant}',
      'an unknown status',
      { status: 'banned' },
      400,
      'invalid_value',
      'status',
    ],
    ['PATCH /v1/participants/{participant}', 'a number for name', { name: 7 }, 400, 'invalid_type', 'name'],
    [
      'POST /v1/events',
      'no type',
      { external_id: 'e1', customer: { external_id: 'c1' } },
      400,
      'missing_field',
      'type',
    ],
    ['POST /v1/events', 'null for customer', signup({ customer: null }), 400, 'invalid_type', 'customer'],
    [
      'POST /v1/events',
      'a number for the customer id',
      signup({ customer: { external_id: 7 } }),
      400,
      'invalid_type',
      'customer.external_id',
    ],
    [
      'POST /v1/events',
      'an unknown customer field',
      signup({ customer: { external_id: 'c', fax: '1' } }),
      400,
      'unknown_field',
      'customer.fax',
    ],
    [
      'POST /v1/events',
      'a string for amount',
      signup({ type: 'purchase', amount: '42', currency: 'USD' }),
      400,
      'invalid_type',
      'amount',
    ],
    [
      'POST /v1/events',
      'null for amount',
      signup({ type: 'purchase', amount: null, currency: 'USD' }),
      400,
      'invalid_type',
      'amount',
    ],
    [
      'POST /v1/events',
      'a number for a code',
      signup({ referral: { code: 1234 } }),
      400,
      'invalid_type',
      'referral.code',
    ],
    ['POST /v1/events', 'an unknown field', signup({ metadata: {} }), 400, 'unknown_field', 'metadata'],
  ];

  const cases = rows.map(([route, name, body, status, code, param]) => ({
    route,
    name,
    body,
    status,
    code,
    param,
  }));

  it.each(cases)(
    '$route with $name answers $status $code and writes nothing',
    async ({ route, body, status, code, param }) => {
      const [method, url] = route.split(' ') as ['POST' | 'PATCH', string];
      const before = await countRows(t.store.db);

      const res = await t.api(method, fill(url), fillBody(body));

      expect(res.status).toBe(status);
      expectErrorShape(res.body);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.param).toBe(param);
      expect(res.body.error.type).toBe('invalid_request');
      expect(await countRows(t.store.db)).toEqual(before);
    },
  );

  it('answers 409 code_taken for a vanity code another participant holds, and writes nothing', async () => {
    const before = await countRows(t.store.db);

    const res = await t.api('PATCH', `/v1/participants/${participantId}`, {
      referral_code: takenCode.toLowerCase(),
    });

    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ type: 'conflict', code: 'code_taken', param: 'referral_code' });
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it.each([
    ['limit=abc', 'invalid_type', 'limit'],
    ['limit=0', 'value_too_small', 'limit'],
    ['limit=101', 'value_too_large', 'limit'],
    ['color=red', 'unknown_field', 'color'],
  ])('rejects the list query %s with %s', async (query, code, param) => {
    const res = await t.api('GET', `/v1/programs?${query}`);

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
  });
});

describe('bodies that are not JSON objects', () => {
  const writes = [
    ['POST', '/v1/programs'],
    ['PATCH', '/v1/programs/{program}'],
    ['POST', '/v1/participants'],
    ['PATCH', '/v1/participants/{participant}'],
    ['POST', '/v1/events'],
  ] as const;
  const send = (method: string, url: string, payload: string, contentType: string) =>
    t.app.inject({
      method: method as 'POST',
      url: fill(url),
      headers: { authorization: `Bearer ${t.key}`, 'content-type': contentType },
      payload,
    });

  describe.each(writes)('%s %s', (method, url) => {
    it.each([
      ['invalid JSON', '{"name": "x",', 'application/json', 400, 'invalid_json'],
      ['an empty body', '', 'application/json', 400, 'invalid_json'],
      [
        'a body over 64 KiB',
        JSON.stringify({ name: 'x'.repeat(64 * 1024) }),
        'application/json',
        413,
        'body_too_large',
      ],
      ['a form-encoded body', 'name=x', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
      ['a plain-text body', '{"name":"x"}', 'text/plain', 415, 'unsupported_media_type'],
      ['an XML body', '<program/>', 'application/xml', 415, 'unsupported_media_type'],
    ])(
      'answers %s with the error shape, status and code, and writes nothing',
      async (_case, payload, type, status, code) => {
        const before = await countRows(t.store.db);

        const res = await send(method, url, payload, type);

        expect(res.statusCode).toBe(status);
        const body = res.json();
        expectErrorShape(body);
        expect(body.error).toMatchObject({ type: 'invalid_request', code });
        expect(await countRows(t.store.db)).toEqual(before);
      },
    );
  });
});

describe('unknown routes', () => {
  it.each([
    ['GET', '/v1/nothing-here'],
    ['DELETE', '/v1/programs/{program}'],
    ['GET', '/v2/programs'],
  ] as const)('answers %s %s with 404 not_found', async (method, url) => {
    const res = await t.api(method, fill(url));

    expect(res.status).toBe(404);
    expectErrorShape(res.body);
    expect(res.body.error).toMatchObject({ type: 'invalid_request', code: 'not_found' });
  });
});

describe('authentication', () => {
  const call = (
    headers: Record<string, string>,
    method: 'GET' | 'POST' = 'GET',
    url = '/v1/programs',
    payload?: unknown,
  ) =>
    t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  it.each([
    ['GET', '/v1/programs'],
    ['GET', '/v1/programs/{program}'],
    ['POST', '/v1/programs'],
    ['PATCH', '/v1/programs/{program}'],
    ['POST', '/v1/participants'],
    ['GET', '/v1/participants/{participant}'],
    ['PATCH', '/v1/participants/{participant}'],
    ['POST', '/v1/events'],
    ['GET', '/v1/referrals'],
    ['GET', '/v1/referrals/ref_x'],
    ['GET', '/v1/rewards'],
  ] as const)('refuses %s %s without an Authorization header (401 missing_api_key)', async (method, url) => {
    const res = await t.app.inject({ method, url: fill(url), ...(method === 'GET' ? {} : { payload: {} }) });

    expect(res.statusCode).toBe(401);
    const body = res.json();
    expectErrorShape(body);
    expect(body.error).toMatchObject({ type: 'authentication_error', code: 'missing_api_key' });
  });

  it.each([
    ['another scheme', () => `Basic ${Buffer.from(`${t.key}:`).toString('base64')}`],
    ['the key without a scheme', () => t.key],
    ['an unknown key', () => 'Bearer sk_00000000000000000000000000000000'],
    ['an empty bearer token', () => 'Bearer '],
    [
      'a key with a character changed',
      () => `Bearer ${t.key.slice(0, -1)}${t.key.endsWith('a') ? 'b' : 'a'}`,
    ],
  ])('refuses %s with 401 invalid_api_key', async (_case, header) => {
    const res = await call({ authorization: header() });

    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
  });

  it('accepts the scheme in any letter case', async () => {
    const res = await call({ authorization: `bearer ${t.key}` });

    expect(res.statusCode).toBe(200);
  });

  it('refuses a revoked key', async () => {
    const { key, plaintext } = await t.store.transaction((trx) => createApiKey(trx, 'to revoke', new Date()));
    expect((await call({ authorization: `Bearer ${plaintext}` })).statusCode).toBe(200);

    await t.store.transaction((trx) => revokeApiKey(trx, key.id, new Date()));
    const res = await call({ authorization: `Bearer ${plaintext}` });

    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'invalid_api_key' });
  });

  it('checks the key before the body, so an unauthenticated caller learns nothing about validation', async () => {
    const before = await countRows(t.store.db);

    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/programs',
      headers: { authorization: 'Bearer sk_wrong', 'content-type': 'application/json' },
      payload: '{"not json',
    });

    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('invalid_api_key');
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('writes nothing for an unauthenticated valid write', async () => {
    const before = await countRows(t.store.db);

    const res = await call({}, 'POST', '/v1/programs', programBody());

    expect(res.statusCode).toBe(401);
    expect(await countRows(t.store.db)).toEqual(before);
  });
});

describe('unexpected failures', () => {
  it('answers 500 with a request id and no internals when the database fails', async () => {
    const broken = await createTestApp();
    try {
      // A missing table stands in for any infrastructure failure the code does not expect.
      await broken.store.db.schema.dropTable('events').execute();

      const res = await broken.api('POST', '/v1/events', signup());

      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        error: {
          type: 'api_error',
          code: 'internal_error',
          message: expect.any(String),
          request_id: expect.any(String),
        },
      });
      expect(res.raw.body).not.toMatch(/stack|\bat\s+\S+\s+\(|events|sqlite|relation|\.ts\b|node_modules/i);
    } finally {
      await broken.close();
    }
  });
});
