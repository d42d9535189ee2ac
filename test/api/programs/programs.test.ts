import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { makeProgram, programBody } from '../../support/factories.ts';

const ID = /^prg_[0-9A-HJKMNP-TV-Z]{26}$/;
const USD = (amount: number) => ({ amount, currency: 'USD' });

describe('POST /v1/programs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('happy', () => {
    it('creates an active program with a prg_ id and answers 201 with it', async () => {
      const res = await t.api('POST', '/v1/programs', programBody({ name: 'Spring referrals' }));

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        object: 'program',
        name: 'Spring referrals',
        landing_url: 'https://shop.example.com/welcome?lang=en',
        status: 'active',
        rewards: { referrer: USD(1000), referee: USD(1000) },
        attribution_window_days: 30,
      });
      expect(res.body.id).toMatch(ID);
      expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);
      expect(res.body.updated_at).toBe(res.body.created_at);
    });

    it('defaults the attribution window to 30 days', async () => {
      const { attribution_window_days: _omitted, ...body } = programBody();

      const res = await t.api('POST', '/v1/programs', body);

      expect(res.status).toBe(201);
      expect(res.body.attribution_window_days).toBe(30);
    });

    it.each([
      ['referrer only', { referrer: USD(500) }, { referrer: USD(500), referee: null }],
      ['referee only', { referee: USD(700) }, { referrer: null, referee: USD(700) }],
      [
        'referrer only, referee explicitly null',
        { referrer: USD(500), referee: null },
        { referrer: USD(500), referee: null },
      ],
      [
        'points',
        { referrer: { amount: 250, currency: 'PTS' } },
        { referrer: { amount: 250, currency: 'PTS' }, referee: null },
      ],
      [
        'a zero reward on one side',
        { referrer: USD(0), referee: USD(1000) },
        { referrer: USD(0), referee: USD(1000) },
      ],
    ])('accepts one-sided rewards and shows the other side as null: %s', async (_case, rewards, expected) => {
      const res = await t.api('POST', '/v1/programs', programBody({ rewards }));

      expect(res.status).toBe(201);
      expect(res.body.rewards).toEqual({ ...expected, referrer_tiers: [], milestones: [] });
    });

    it('keeps the program when it is read back', async () => {
      const created = await makeProgram(t, { name: 'Read me back', attribution_window_days: 7 });

      const res = await t.api('GET', `/v1/programs/${created.id}`);

      expect(res.status).toBe(200);
      expect(res.body).toEqual(created);
    });

    it('replays the stored response for a repeated Idempotency-Key and creates nothing more', async () => {
      const headers = { 'idempotency-key': 'create-program-once' };
      const body = programBody({ name: 'Created once' });

      const first = await t.api('POST', '/v1/programs', body, headers);
      const second = await t.api('POST', '/v1/programs', body, headers);

      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      const rows = await t.store.db
        .selectFrom('programs')
        .select('id')
        .where('name', '=', 'Created once')
        .execute();
      expect(rows).toHaveLength(1);
    });
  });

  describe('error', () => {
    it.each([
      ['name is missing', { name: undefined }, 'missing_field', 'name'],
      ['name is empty', { name: '' }, 'invalid_length', 'name'],
      ['name is only whitespace', { name: '   ' }, 'invalid_length', 'name'],
      ['name is not a string', { name: 42 }, 'invalid_type', 'name'],
      ['landing_url is missing', { landing_url: undefined }, 'missing_field', 'landing_url'],
      ['rewards is missing', { rewards: undefined }, 'missing_field', 'rewards'],
      ['rewards has neither side', { rewards: {} }, 'missing_field', 'rewards'],
      [
        'rewards has both sides null',
        { rewards: { referrer: null, referee: null } },
        'missing_field',
        'rewards',
      ],
      [
        'currency is unknown',
        { rewards: { referrer: { amount: 1000, currency: 'XYZ' } } },
        'unknown_currency',
        'rewards.referrer.currency',
      ],
      [
        'currency is lowercase',
        { rewards: { referrer: { amount: 1000, currency: 'usd' } } },
        'unknown_currency',
        'rewards.referrer.currency',
      ],
      [
        'referee currency is lowercase',
        { rewards: { referee: { amount: 1000, currency: 'eur' } } },
        'unknown_currency',
        'rewards.referee.currency',
      ],
      [
        'currency is missing',
        { rewards: { referrer: { amount: 1000 } } },
        'missing_field',
        'rewards.referrer.currency',
      ],
      [
        'amount is negative',
        { rewards: { referrer: USD(-1) } },
        'amount_negative',
        'rewards.referrer.amount',
      ],
      [
        'amount is fractional',
        { rewards: { referrer: USD(10.5) } },
        'amount_not_integer',
        'rewards.referrer.amount',
      ],
      [
        'amount is a numeric string (no coercion)',
        { rewards: { referrer: { amount: '15', currency: 'USD' } } },
        'invalid_type',
        'rewards.referrer.amount',
      ],
      [
        'amount is absurdly large',
        { rewards: { referrer: USD(1_000_000_000_001) } },
        'amount_too_large',
        'rewards.referrer.amount',
      ],
      [
        'a reward has an unknown field',
        { rewards: { referrer: { ...USD(1000), tax: 0 } } },
        'unknown_field',
        'rewards.referrer.tax',
      ],
      ['the body has an unknown field', { colour: 'red' }, 'unknown_field', 'colour'],
      [
        'attribution_window_days is 0',
        { attribution_window_days: 0 },
        'value_too_small',
        'attribution_window_days',
      ],
      [
        'attribution_window_days is 366',
        { attribution_window_days: 366 },
        'value_too_large',
        'attribution_window_days',
      ],
      [
        'attribution_window_days is 1.5',
        { attribution_window_days: 1.5 },
        'invalid_type',
        'attribution_window_days',
      ],
      [
        'attribution_window_days is a string',
        { attribution_window_days: '30' },
        'invalid_type',
        'attribution_window_days',
      ],
    ])('answers 400 when %s', async (_case, overrides, code, param) => {
      const res = await t.api('POST', '/v1/programs', programBody(overrides));

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request', code, param });
      expect(res.body.error.message).toEqual(expect.any(String));
    });

    it.each([
      ['ftp', 'ftp://files.example.com/welcome'],
      ['javascript', 'javascript:alert(document.cookie)'],
      ['data', 'data:text/html,<script>alert(1)</script>'],
      ['relative path', '/welcome'],
      ['protocol-relative', '//evil.example/welcome'],
      ['no host', 'https://'],
      ['not a URL', 'shop dot example dot com'],
    ])('refuses a landing_url that is not absolute http(s): %s', async (_case, landing_url) => {
      const res = await t.api('POST', '/v1/programs', programBody({ landing_url }));

      expect(res.status).toBe(400);
      expect(['invalid_url', 'invalid_format']).toContain(res.body.error.code);
      expect(res.body.error.param).toBe('landing_url');
    });

    it('refuses a body that is not JSON', async () => {
      const res = await t.api('POST', '/v1/programs', '{"name":', { 'content-type': 'application/json' });

      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_json');
    });

    it('refuses an Idempotency-Key reused with another body', async () => {
      const headers = { 'idempotency-key': 'reused-key' };
      await t.api('POST', '/v1/programs', programBody({ name: 'First' }), headers);

      const res = await t.api('POST', '/v1/programs', programBody({ name: 'Second' }), headers);

      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'idempotency_key_reused', param: 'Idempotency-Key' });
      const rows = await t.store.db
        .selectFrom('programs')
        .select('id')
        .where('name', '=', 'Second')
        .execute();
      expect(rows).toHaveLength(0);
    });
  });

  describe('security', () => {
    it.each([
      ['user and password', 'https://user:secret@shop.example.com/welcome'],
      ['user only', 'https://user@shop.example.com/welcome'],
    ])('refuses a landing_url carrying credentials (%s)', async (_case, landing_url) => {
      const res = await t.api('POST', '/v1/programs', programBody({ landing_url }));

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_url', param: 'landing_url' });
    });

    it.each([
      ['no Authorization header', {}, 'missing_api_key'],
      ['an unknown key', { authorization: 'Bearer sk_notarealkeynotarealkeynotareal' }, 'invalid_api_key'],
      ['a malformed header', { authorization: 'Basic dXNlcjpwYXNz' }, 'invalid_api_key'],
    ])('answers 401 with %s and creates nothing', async (_case, headers, code) => {
      const before = await t.store.db.selectFrom('programs').select('id').execute();

      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/programs',
        headers,
        payload: programBody(),
      });

      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatchObject({ type: 'authentication_error', code });
      const after = await t.store.db.selectFrom('programs').select('id').execute();
      expect(after).toHaveLength(before.length);
    });
  });
});

describe('GET /v1/programs', () => {
  let t: TestApp;
  let ids: string[];
  beforeAll(async () => {
    t = await createTestApp();
    ids = [];
    for (let i = 1; i <= 5; i++) ids.push((await makeProgram(t, { name: `Program ${i}` })).id);
  });
  afterAll(() => t.close());

  it('lists programs newest first', async () => {
    const res = await t.api('GET', '/v1/programs');

    expect(res.status).toBe(200);
    expect(res.body.object).toBe('list');
    expect(res.body.data.map((p: { id: string }) => p.id)).toEqual([...ids].reverse());
    expect(res.body.data[0]).toMatchObject({ object: 'program', name: 'Program 5' });
    expect(res.body.has_more).toBe(false);
  });

  it('pages with limit and starting_after until has_more is false', async () => {
    const first = await t.api('GET', '/v1/programs?limit=2');
    const second = await t.api('GET', `/v1/programs?limit=2&starting_after=${first.body.data[1].id}`);
    const third = await t.api('GET', `/v1/programs?limit=2&starting_after=${second.body.data[1].id}`);

    const pageIds = (res: typeof first) => res.body.data.map((p: { id: string }) => p.id);
    expect(pageIds(first)).toEqual([ids[4], ids[3]]);
    expect(first.body.has_more).toBe(true);
    expect(pageIds(second)).toEqual([ids[2], ids[1]]);
    expect(second.body.has_more).toBe(true);
    expect(pageIds(third)).toEqual([ids[0]]);
    expect(third.body.has_more).toBe(false);
  });

  it('says has_more is false when the page ends exactly on the last program', async () => {
    const res = await t.api('GET', '/v1/programs?limit=5');

    expect(res.body.data).toHaveLength(5);
    expect(res.body.has_more).toBe(false);
  });

  it('answers an empty page after the oldest program', async () => {
    const res = await t.api('GET', `/v1/programs?starting_after=${ids[0]}`);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ object: 'list', data: [], has_more: false });
  });

  it.each([
    ['limit=0', 'value_too_small', 'limit'],
    ['limit=101', 'value_too_large', 'limit'],
    ['limit=ten', 'invalid_type', 'limit'],
    ['limit=2.5', 'invalid_type', 'limit'],
    ['starting_after=', 'invalid_length', 'starting_after'],
    ['status=active', 'unknown_field', 'status'],
  ])('answers 400 for the query %s', async (query, code, param) => {
    const res = await t.api('GET', `/v1/programs?${query}`);

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
  });

  it('answers 401 without an API key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/programs' });

    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('missing_api_key');
  });
});

describe('GET /v1/programs/:id', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers the program', async () => {
    const program = await makeProgram(t);

    const res = await t.api('GET', `/v1/programs/${program.id}`);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: program.id, object: 'program', status: 'active' });
  });

  it('answers 404 resource_missing for an unknown id', async () => {
    const res = await t.api('GET', '/v1/programs/prg_00000000000000000000000000');

    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: 'invalid_request', code: 'resource_missing' });
    expect(res.body.error.message).toContain('prg_00000000000000000000000000');
  });

  it('answers 401 without an API key, even for a program that exists', async () => {
    const program = await makeProgram(t);

    const res = await t.app.inject({ method: 'GET', url: `/v1/programs/${program.id}` });

    expect(res.statusCode).toBe(401);
    expect(res.body).not.toContain(program.id);
  });
});

describe('PATCH /v1/programs/:id', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => {
    t.setNow(null);
    return t.close();
  });

  it('renames a program and moves updated_at to the app clock', async () => {
    const program = await makeProgram(t);
    t.setNow(new Date('2031-05-06T07:08:09.000Z'));

    const res = await t.api('PATCH', `/v1/programs/${program.id}`, { name: '  Summer referrals  ' });
    t.setNow(null);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: program.id, name: 'Summer referrals', status: 'active' });
    expect(res.body.updated_at).toBe('2031-05-06T07:08:09.000Z');
    expect((await t.api('GET', `/v1/programs/${program.id}`)).body.name).toBe('Summer referrals');
  });

  it('changes the landing URL', async () => {
    const program = await makeProgram(t);

    const res = await t.api('PATCH', `/v1/programs/${program.id}`, {
      landing_url: 'https://shop.example.com/spring',
    });

    expect(res.status).toBe(200);
    expect(res.body.landing_url).toBe('https://shop.example.com/spring');
  });

  it('replaces the rewards as a whole, so a side left out becomes null', async () => {
    const program = await makeProgram(t);

    const res = await t.api('PATCH', `/v1/programs/${program.id}`, { rewards: { referrer: USD(2500) } });

    expect(res.status).toBe(200);
    const rewards = { referrer: USD(2500), referee: null, referrer_tiers: [], milestones: [] };
    expect(res.body.rewards).toEqual(rewards);
    expect((await t.api('GET', `/v1/programs/${program.id}`)).body.rewards).toEqual(rewards);
  });

  it('pauses a program and leaves the other fields as they were', async () => {
    const program = await makeProgram(t, { attribution_window_days: 14 });

    const res = await t.api('PATCH', `/v1/programs/${program.id}`, { status: 'paused' });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'paused',
      attribution_window_days: 14,
      name: programBody().name,
      landing_url: program.landing_url,
    });
  });

  it('changes the attribution window', async () => {
    const program = await makeProgram(t);

    const res = await t.api('PATCH', `/v1/programs/${program.id}`, { attribution_window_days: 90 });

    expect(res.status).toBe(200);
    expect(res.body.attribution_window_days).toBe(90);
  });

  it('answers 404 resource_missing for an unknown id', async () => {
    const res = await t.api('PATCH', '/v1/programs/prg_00000000000000000000000000', { name: 'Nobody' });

    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('resource_missing');
  });

  it.each([
    ['an empty name', { name: '' }, 'invalid_length', 'name'],
    ['a name of only whitespace', { name: ' \t ' }, 'invalid_length', 'name'],
    ['an ftp landing_url', { landing_url: 'ftp://files.example.com' }, 'invalid_url', 'landing_url'],
    ['a javascript: landing_url', { landing_url: 'javascript:alert(1)' }, 'invalid_url', 'landing_url'],
    [
      'a landing_url with credentials',
      { landing_url: 'https://a:b@shop.example.com' },
      'invalid_url',
      'landing_url',
    ],
    ['rewards with neither side', { rewards: {} }, 'missing_field', 'rewards'],
    [
      'a lowercase currency',
      { rewards: { referee: { amount: 100, currency: 'usd' } } },
      'unknown_currency',
      'rewards.referee.currency',
    ],
    ['a negative amount', { rewards: { referrer: USD(-500) } }, 'amount_negative', 'rewards.referrer.amount'],
    ['an unknown status', { status: 'deleted' }, 'invalid_value', 'status'],
    [
      'attribution_window_days 0',
      { attribution_window_days: 0 },
      'value_too_small',
      'attribution_window_days',
    ],
    [
      'attribution_window_days 366',
      { attribution_window_days: 366 },
      'value_too_large',
      'attribution_window_days',
    ],
    ['an unknown field', { id: 'prg_other' }, 'unknown_field', 'id'],
  ])('answers 400 for %s and changes nothing', async (_case, patch, code, param) => {
    const program = await makeProgram(t);

    const res = await t.api('PATCH', `/v1/programs/${program.id}`, patch);

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
    expect((await t.api('GET', `/v1/programs/${program.id}`)).body).toEqual(program);
  });
});
