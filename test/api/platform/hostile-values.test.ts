import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { makeParticipant, makeProgram, programBody } from '../../support/factories.ts';
import { countRows } from '../../support/tables.ts';

// Values that once reached the database as sent (or crashed PostgreSQL while SQLite stored them)
// are refused at the edge, with the same answer on both, and nothing is written.

let t: TestApp;
let programId: string;
let participantId: string;
let n = 0;
const next = (prefix: string) => `${prefix}-${++n}`;
beforeAll(async () => {
  t = await createTestApp();
  programId = (await makeProgram(t)).id;
  participantId = (await makeParticipant(t, programId)).id;
});
afterAll(() => t.close());

const JSON_TYPE = { 'content-type': 'application/json' };

/** Sends `text` as the body, exactly as written (JSON.stringify cannot write 1e400 or a lone surrogate). */
const send = (method: 'POST' | 'PATCH', url: string, text: string, headers: Record<string, string> = {}) =>
  t.api(method, url, text, { ...JSON_TYPE, ...headers });

/** The reply, and whether any table changed while it was made. */
async function answered(request: () => ReturnType<TestApp['api']>) {
  const before = await countRows(t.store.db);
  const res = await request();
  return { res, wrote: JSON.stringify(await countRows(t.store.db)) !== JSON.stringify(before) };
}

const signupText = (extra: string) =>
  `{"type":"signup","external_id":"${next('signup')}","customer":{"external_id":"${next('c')}"}${extra}}`;
const programText = (rules: Record<string, unknown>, number: string) =>
  JSON.stringify(programBody(rules)).replace('424242', number);

describe('numbers no field can hold exactly', () => {
  const milestone = { amount: 500, currency: 'USD' };
  it.each([
    ['a sign-up amount of 1e400', '/v1/events', signupText(',"amount":1e400,"currency":"USD"'), 'amount'],
    ['a sign-up amount of 2^63', '/v1/events', signupText(',"amount":9223372036854775808'), 'amount'],
    [
      'a purchase amount of -1e400',
      '/v1/events',
      signupText(',"amount":-1e400,"currency":"USD"').replace('signup', 'purchase'),
      'amount',
    ],
    [
      'a lifetime cap count of 1e400',
      '/v1/programs',
      programText({ caps: { referrer_lifetime: { count: 424242 } } }, '1e400'),
      'caps.referrer_lifetime.count',
    ],
    [
      "a milestone's at_referral of 1e400",
      '/v1/programs',
      programText(
        {
          rewards: {
            referrer: milestone,
            referee: null,
            milestones: [{ at_referral: 424242, reward: milestone }],
          },
        },
        '1e400',
      ),
      'rewards.milestones.0.at_referral',
    ],
    [
      "a tier's from_referral of 1e400",
      '/v1/programs',
      programText(
        {
          rewards: {
            referrer: milestone,
            referee: null,
            referrer_tiers: [{ from_referral: 424242, reward: milestone }],
          },
        },
        '1e400',
      ),
      'rewards.referrer_tiers.0.from_referral',
    ],
  ])(
    'refuses %s as number_out_of_range naming the field, writing nothing',
    async (_case, url, text, param) => {
      const { res, wrote } = await answered(() => send('POST', url, text));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request', code: 'number_out_of_range', param });
      expect(wrote).toBe(false);
    },
  );

  it('answers a retry with the same Idempotency-Key as the first attempt, having stored nothing', async () => {
    const text = signupText(',"amount":1e400');
    const headers = { 'idempotency-key': next('key') };
    const first = await answered(() => send('POST', '/v1/events', text, headers));
    const retry = await answered(() => send('POST', '/v1/events', text, headers));
    for (const { res, wrote } of [first, retry]) {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('number_out_of_range');
      expect(res.headers['idempotent-replayed']).toBeUndefined();
      expect(wrote).toBe(false);
    }
  });

  it.each([
    [
      'a milestone at the 2,000,000th referral',
      { at_referral: 2_000_000 },
      'rewards.milestones.0.at_referral',
    ],
    ['a milestone at the 0th referral', { at_referral: 0 }, 'rewards.milestones.0.at_referral'],
  ])('bounds positions: refuses %s', async (_case, position, param) => {
    const rewards = { referrer: milestone, referee: null, milestones: [{ ...position, reward: milestone }] };
    const res = await t.api('POST', '/v1/programs', programBody({ rewards }));
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe(param);
  });

  it('bounds cap counts at 1,000,000,000', async () => {
    const caps = { referrer_lifetime: { count: 1_000_000_001 } };
    const res = await t.api('POST', '/v1/programs', programBody({ caps }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'value_too_large', param: 'caps.referrer_lifetime.count' });
  });

  it('reads -0 as 0', async () => {
    const res = await send('POST', '/v1/events', signupText(',"amount":-0,"currency":"USD"'));
    expect(res.status).toBe(201);
    expect(res.raw.body).toContain('"amount":0,');
  });
});

describe("a sign-up's order", () => {
  it.each([
    ['a negative amount', ',"amount":-1,"currency":"USD"', 'amount_negative', 'amount'],
    ['an amount of 1e308', ',"amount":1e308,"currency":"USD"', 'number_out_of_range', 'amount'],
    ['a fractional amount', ',"amount":10.5,"currency":"USD"', 'amount_not_integer', 'amount'],
    [
      'an amount past the largest order',
      ',"amount":1000000000001,"currency":"USD"',
      'amount_too_large',
      'amount',
    ],
    ['the currency "NaN"', ',"amount":100,"currency":"NaN"', 'unknown_currency', 'currency'],
    ['an amount without a currency', ',"amount":100', 'missing_field', 'currency'],
    ['a currency without an amount', ',"currency":"USD"', 'missing_field', 'amount'],
  ])('is refused with %s, writing nothing', async (_case, extra, code, param) => {
    const { res, wrote } = await answered(() => send('POST', '/v1/events', signupText(extra)));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
    expect(wrote).toBe(false);
  });

  it('is stored when it is money, as a purchase would be', async () => {
    const res = await send('POST', '/v1/events', signupText(',"amount":4900,"currency":"EUR"'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ amount: 4900, currency: 'EUR' });
  });
});

describe('text PostgreSQL cannot store', () => {
  it.each([
    [
      "an event's external_id",
      '/v1/events',
      signupText('').replace('"signup-', '"sign\\u0000up-'),
      'external_id',
    ],
    [
      "a participant's name",
      '/v1/participants',
      () => JSON.stringify({ program_id: programId, external_id: next('user'), name: 'Jane\u0000' }),
      'name',
    ],
    [
      'a field name',
      '/v1/participants',
      () => `{"program_id":"${programId}","external_id":"${next('user')}","na\\u0000me":"Jane"}`,
      'na\u0000me',
    ],
    [
      'an unpaired surrogate',
      '/v1/participants',
      () => `{"program_id":"${programId}","external_id":"user-\\ud800"}`,
      'external_id',
    ],
  ])(
    'refuses a NUL or lone surrogate in %s with invalid_character, writing nothing',
    async (_case, url, body, param) => {
      const text = typeof body === 'function' ? body() : body;
      const { res, wrote } = await answered(() => send('POST', url, text));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request', code: 'invalid_character', param });
      expect(wrote).toBe(false);
    },
  );

  it.each([
    ['a path parameter', '/v1/participants/par_x%00', 'id'],
    ['a query parameter', '/v1/referrals?program_id=prg_x%00', 'program_id'],
  ])('refuses a NUL in %s with invalid_character', async (_case, url, param) => {
    const res = await t.api('GET', url);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_character', param });
  });

  it.each(['/v1/participants/%ED%A0%80', '/v1/participants/%'])(
    'answers a path that is not percent-encoded UTF-8 (%s) in the documented error shape',
    async (url) => {
      const res = await t.api('GET', url);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request', code: 'invalid_format' });
    },
  );

  it('refuses a NUL in a PATCH body as in a POST one', async () => {
    const res = await send('PATCH', `/v1/participants/${participantId}`, '{"name":"a\\u0000b"}');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_character', param: 'name' });
  });

  it.each(['/r/%00', '/r/AB%00CD', '/r/%E2%82%AC', '/r/%ED%A0%80'])(
    'answers %s, which names no code that can exist, with the unknown-code page',
    async (url) => {
      // The only error this route logs comes with a 500: a 404 page means none was logged.
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('text/html');
    },
  );
});

describe('dates', () => {
  it.each([
    '0000-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '1970-01-01T00:30:00+01:00',
    '2016-12-31T23:59:60Z',
  ])('refuses an occurred_at of %s: times run from the Unix epoch to the end of 9999', async (at) => {
    const { res, wrote } = await answered(() =>
      send('POST', '/v1/events', signupText(`,"occurred_at":"${at}"`)),
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_format', param: 'occurred_at' });
    expect(res.body.error.message).toContain('1970-01-01T00:00:00Z');
    expect(wrote).toBe(false);
  });

  it('accepts the epoch itself', async () => {
    const res = await send('POST', '/v1/events', signupText(',"occurred_at":"1970-01-01T00:00:00Z"'));
    expect(res.status).toBe(201);
    expect(res.body.occurred_at).toBe('1970-01-01T00:00:00.000Z');
  });

  it('bounds times in query strings the same way', async () => {
    const res = await t.api('GET', `/v1/programs/${programId}/journal.csv?since=0000-01-01T00:00:00Z`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_format', param: 'since' });
  });
});

describe("a participant's name", () => {
  it('refuses an empty name on creation and on update; null clears it', async () => {
    const created = await t.api('POST', '/v1/participants', {
      program_id: programId,
      external_id: next('u'),
      name: '',
    });
    expect(created.status).toBe(400);
    expect(created.body.error).toMatchObject({ code: 'invalid_length', param: 'name' });
    const updated = await t.api('PATCH', `/v1/participants/${participantId}`, { name: '' });
    expect(updated.body.error).toMatchObject({ code: 'invalid_length', param: 'name' });
    expect((await t.api('PATCH', `/v1/participants/${participantId}`, { name: 'Jane' })).body.name).toBe(
      'Jane',
    );
    expect((await t.api('PATCH', `/v1/participants/${participantId}`, { name: null })).body.name).toBeNull();
  });
});

describe('the body encoding', () => {
  const body = () => JSON.stringify({ program_id: programId, external_id: next('user') });
  it.each([
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
    'application/json;charset="UTF-16LE"',
  ])('refuses %s with 415 unsupported_media_type', async (contentType) => {
    const { res, wrote } = await answered(() =>
      t.api('POST', '/v1/participants', body(), { 'content-type': contentType }),
    );
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect(wrote).toBe(false);
  });

  it.each(['application/json; charset=utf-8', 'application/json; charset="UTF-8"', 'application/json'])(
    'reads %s',
    async (contentType) => {
      const res = await t.api('POST', '/v1/participants', body(), { 'content-type': contentType });
      expect(res.status).toBe(201);
    },
  );

  it('refuses bytes that are not UTF-8 as invalid_json', async () => {
    const res = await t.api('POST', '/v1/participants', Buffer.from([0x7b, 0xff, 0x7d]), JSON_TYPE);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_json' });
  });

  it('refuses a body nested deeper than 32 levels as invalid_json', async () => {
    const res = await send('POST', '/v1/participants', `${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('nested deeper than 32');
  });
});

describe('a write whose answer cannot be serialised', () => {
  // A value written before these checks existed cannot be serialised by the response schema.
  // The write that reads it must fail whole, not commit and then answer 500.
  it('leaves a PATCH uncommitted', async () => {
    const { id } = await makeProgram(t);
    await t.store.db
      .updateTable('programs')
      .set({ payout_minimums: '{"USD":"poison"}' })
      .where('id', '=', id)
      .execute();
    const { res, wrote } = await answered(() => t.api('PATCH', `/v1/programs/${id}`, { name: 'Renamed' }));
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal_error');
    expect(wrote).toBe(false);
    const row = await t.store.db
      .selectFrom('programs')
      .select('name')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe(programBody().name);
  });

  it('stores no idempotent answer, so a retry after the repair succeeds instead of replaying a 500', async () => {
    const { id, external_id } = await makeParticipant(t, programId);
    const poison = (status: string) =>
      t.store.db
        .updateTable('participants')
        .set({ status: status as 'active' })
        .where('id', '=', id)
        .execute();
    await poison('poisoned');
    const request = () =>
      t.api(
        'POST',
        '/v1/participants',
        { program_id: programId, external_id },
        { 'idempotency-key': `enrol-${id}` },
      );
    const { res, wrote } = await answered(request);
    expect(res.status).toBe(500);
    expect(wrote).toBe(false);
    await poison('active');
    const retry = await request();
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(id);
  });
});
