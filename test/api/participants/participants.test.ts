import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PUBLIC_URL, type TestApp } from '../../support/app.ts';
import { click, event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';

const GENERATED_CODE = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/;

const participantRows = (t: TestApp, programId: string, externalId: string) =>
  t.store.db
    .selectFrom('participants')
    .select('id')
    .where('program_id', '=', programId)
    .where('external_id', '=', externalId)
    .execute();

describe('POST /v1/participants', () => {
  let t: TestApp;
  let programId: string;
  beforeAll(async () => {
    t = await createTestApp();
    programId = (await makeProgram(t)).id;
  });
  afterAll(() => t.close());

  describe('happy', () => {
    it('enrols a participant with a par_ id, a generated code and a referral URL on the public host', async () => {
      const res = await t.api('POST', '/v1/participants', {
        program_id: programId,
        external_id: 'cus_1001',
        email: 'jane@example.com',
        name: 'Jane',
      });

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        object: 'participant',
        program_id: programId,
        external_id: 'cus_1001',
        email: 'jane@example.com',
        name: 'Jane',
        status: 'active',
        balances: [],
      });
      expect(res.body.id).toMatch(/^par_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(res.body.referral_code).toMatch(GENERATED_CODE);
      expect(res.body.referral_url).toBe(`${PUBLIC_URL}/r/${res.body.referral_code}`);
    });

    it('gives every participant a different code', async () => {
      const codes = new Set<string>();
      for (let i = 0; i < 20; i++) codes.add((await makeParticipant(t, programId)).referral_code);

      expect(codes.size).toBe(20);
      for (const code of codes) expect(code).toMatch(GENERATED_CODE);
    });

    it('answers 200 with the same participant when the external_id is enrolled again, and stores one row', async () => {
      const body = { program_id: programId, external_id: 'cus_repeat', email: 'rep@example.com' };
      const first = await t.api('POST', '/v1/participants', body);

      const second = await t.api('POST', '/v1/participants', body);

      expect(first.status).toBe(201);
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(await participantRows(t, programId, 'cus_repeat')).toHaveLength(1);
    });

    it('enrols concurrent requests for one external_id exactly once', async () => {
      const body = { program_id: programId, external_id: 'cus_race' };

      const replies = await Promise.all(
        Array.from({ length: 5 }, () => t.api('POST', '/v1/participants', body)),
      );

      expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
      expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
      expect(await participantRows(t, programId, 'cus_race')).toHaveLength(1);
    });

    it('enrols the same external_id separately in another program', async () => {
      const other = await makeProgram(t);
      const here = await makeParticipant(t, programId, { external_id: 'cus_two_programs' });

      const there = await t.api('POST', '/v1/participants', {
        program_id: other.id,
        external_id: 'cus_two_programs',
      });

      expect(there.status).toBe(201);
      expect(there.body.id).not.toBe(here.id);
      expect(there.body.referral_code).not.toBe(here.referral_code);
    });
  });

  describe('error', () => {
    it('answers 404 resource_missing naming program_id for an unknown program', async () => {
      const res = await t.api('POST', '/v1/participants', {
        program_id: 'prg_00000000000000000000000000',
        external_id: 'cus_orphan',
      });

      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'resource_missing', param: 'program_id' });
      const rows = await t.store.db
        .selectFrom('participants')
        .select('id')
        .where('external_id', '=', 'cus_orphan')
        .execute();
      expect(rows).toHaveLength(0);
    });

    it.each([
      ['program_id is missing', { program_id: undefined }, 'missing_field', 'program_id'],
      ['external_id is missing', { external_id: undefined }, 'missing_field', 'external_id'],
      ['external_id is empty', { external_id: '' }, 'invalid_length', 'external_id'],
      ['external_id is a number', { external_id: 1001 }, 'invalid_type', 'external_id'],
      ['email is not an email', { email: 'not-an-email' }, 'invalid_format', 'email'],
      ['email has no domain', { email: 'jane@' }, 'invalid_format', 'email'],
      ['name is longer than 200', { name: 'x'.repeat(201) }, 'invalid_length', 'name'],
      ['a code is sent at enrolment', { referral_code: 'JANE' }, 'unknown_field', 'referral_code'],
    ])('answers 400 when %s', async (_case, overrides, code, param) => {
      const res = await t.api('POST', '/v1/participants', {
        program_id: programId,
        external_id: unique('cus'),
        ...overrides,
      });

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request', code, param });
    });
  });

  describe('security', () => {
    it('answers 401 without an API key and enrols nobody', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/participants',
        payload: { program_id: programId, external_id: 'cus_anonymous' },
      });

      expect(res.statusCode).toBe(401);
      expect(await participantRows(t, programId, 'cus_anonymous')).toHaveLength(0);
    });
  });
});

describe('GET /v1/participants/:id', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers the participant with an empty balances array before any reward', async () => {
    const program = await makeProgram(t);
    const participant = await makeParticipant(t, program.id);

    const res = await t.api('GET', `/v1/participants/${participant.id}`);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: participant.id,
      referral_code: participant.referral_code,
      balances: [],
    });
  });

  it('shows pending balances per currency once referrals qualify', async () => {
    const program = await makeProgram(t, { rewards: { referrer: { amount: 1500, currency: 'EUR' } } });
    const referrer = await makeParticipant(t, program.id);
    for (const friend of [unique('friend'), unique('friend')]) {
      await t.api(
        'POST',
        '/v1/events',
        event('signup', friend, { referral: { code: referrer.referral_code } }),
      );
      await t.api('POST', '/v1/events', event('purchase', friend, { amount: 5000, currency: 'EUR' }));
    }

    const res = await t.api('GET', `/v1/participants/${referrer.id}`);

    expect(res.body.balances).toEqual([
      { currency: 'EUR', pending: 3000, available: 0, processing: 0, paid: 0 },
    ]);
  });

  it('answers 404 resource_missing for an unknown id', async () => {
    const res = await t.api('GET', '/v1/participants/par_00000000000000000000000000');

    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('resource_missing');
  });

  it('answers 401 without an API key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/participants/par_00000000000000000000000000' });

    expect(res.statusCode).toBe(401);
  });
});

describe('PATCH /v1/participants/:id', () => {
  let t: TestApp;
  let programId: string;
  beforeAll(async () => {
    t = await createTestApp();
    programId = (await makeProgram(t)).id;
  });
  afterAll(() => {
    t.setNow(null);
    return t.close();
  });

  const patch = (id: string, body: unknown) => t.api('PATCH', `/v1/participants/${id}`, body);

  describe('vanity codes', () => {
    it('sets a vanity code, updates the referral URL, and the new link redirects to the participant', async () => {
      const participant = await makeParticipant(t, programId);

      const res = await patch(participant.id, { referral_code: 'jane-2024' });

      expect(res.status).toBe(200);
      expect(res.body.referral_code).toBe('jane-2024');
      expect(res.body.referral_url).toBe(`${PUBLIC_URL}/r/jane-2024`);
      const { res: redirect, location } = await click(t, 'jane-2024');
      expect(redirect.statusCode).toBe(302);
      expect(location?.searchParams.get('vouch_ref')).toBe('jane-2024');
    });

    it('keeps the old code redirecting after a vanity change, so links already shared still count', async () => {
      const participant = await makeParticipant(t, programId);
      await patch(participant.id, { referral_code: 'NEWCODE_1' });

      const { res, location } = await click(t, participant.referral_code);

      expect(res.statusCode).toBe(302);
      expect(location?.searchParams.get('vouch_ref')).toBe(participant.referral_code);
      // The click through the old code credits the same participant.
      const friend = unique('friend');
      const signup = await t.api(
        'POST',
        '/v1/events',
        event('signup', friend, { referral: { code: participant.referral_code } }),
      );
      expect(signup.body.result.outcome).toBe('referral_created');
      const referral = await t.api('GET', `/v1/referrals/${signup.body.result.referral_ids[0]}`);
      expect(referral.body.referrer_id).toBe(participant.id);
    });

    it('lets a participant take back one of its own earlier codes', async () => {
      const participant = await makeParticipant(t, programId);
      await patch(participant.id, { referral_code: 'FIRST-CHOICE' });
      await patch(participant.id, { referral_code: 'SECOND-CHOICE' });

      const res = await patch(participant.id, { referral_code: 'FIRST-CHOICE' });

      expect(res.status).toBe(200);
      expect(res.body.referral_code).toBe('FIRST-CHOICE');
    });

    it('lets a participant take back its generated code', async () => {
      const participant = await makeParticipant(t, programId);
      await patch(participant.id, { referral_code: 'TEMPORARY' });

      const res = await patch(participant.id, { referral_code: participant.referral_code });

      expect(res.status).toBe(200);
      expect(res.body.referral_code).toBe(participant.referral_code);
    });

    it('trims surrounding whitespace from a vanity code', async () => {
      const participant = await makeParticipant(t, programId);

      const res = await patch(participant.id, { referral_code: '  trimmed-code  ' });

      expect(res.status).toBe(200);
      expect(res.body.referral_code).toBe('trimmed-code');
    });

    it.each([
      ['too short', 'ab'],
      ['a space inside', 'jane doe'],
      ['a symbol', 'jane!'],
      ['a slash', 'jane/doe'],
      ['a dot', 'jane.doe'],
      ['a leading hyphen', '-jane'],
      ['a non-ASCII letter', 'héllo'],
      ['only spaces', '     '],
      ['33 characters', 'a'.repeat(33)],
    ])('refuses a code with %s: 400 invalid_code naming referral_code', async (_case, code) => {
      const participant = await makeParticipant(t, programId);

      const res = await patch(participant.id, { referral_code: code });

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_code', param: 'referral_code' });
      expect((await t.api('GET', `/v1/participants/${participant.id}`)).body.referral_code).toBe(
        participant.referral_code,
      );
    });

    it('accepts a code of exactly 32 characters', async () => {
      const participant = await makeParticipant(t, programId);
      const code = `Z${'9'.repeat(31)}`;

      const res = await patch(participant.id, { referral_code: code });

      expect(res.status).toBe(200);
      expect(res.body.referral_code).toBe(code);
    });

    it.each([
      ['exactly', 'TAKEN-CODE', 'TAKEN-CODE'],
      ['in another letter case', 'Summer_Sale', 'summer_SALE'],
    ])('answers 409 code_taken for a code another participant holds, %s', async (_case, held, wanted) => {
      const holder = await makeParticipant(t, programId);
      const other = await makeParticipant(t, programId);
      expect((await patch(holder.id, { referral_code: held })).status).toBe(200);

      const res = await patch(other.id, { referral_code: wanted });

      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ type: 'conflict', code: 'code_taken', param: 'referral_code' });
      expect((await t.api('GET', `/v1/participants/${other.id}`)).body.referral_code).toBe(
        other.referral_code,
      );
    });

    it('answers 409 for another participant’s generated code written in lowercase', async () => {
      const holder = await makeParticipant(t, programId);
      const other = await makeParticipant(t, programId);

      const res = await patch(other.id, { referral_code: holder.referral_code.toLowerCase() });

      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('code_taken');
    });

    it('answers 409 for a code held in another program: codes are unique across the deployment', async () => {
      const otherProgram = await makeProgram(t);
      const holder = await makeParticipant(t, otherProgram.id);
      await patch(holder.id, { referral_code: 'GLOBAL-CODE' });
      const other = await makeParticipant(t, programId);

      const res = await patch(other.id, { referral_code: 'GLOBAL-CODE' });

      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('code_taken');
    });

    it('never lets a participant take over a code another participant gave up', async () => {
      const first = await makeParticipant(t, programId);
      const second = await makeParticipant(t, programId);
      await patch(first.id, { referral_code: 'GIVEN-UP' });
      await patch(first.id, { referral_code: 'MOVED-ON' });

      const res = await patch(second.id, { referral_code: 'GIVEN-UP' });

      expect(res.status).toBe(409);
      const { location } = await click(t, 'GIVEN-UP');
      expect(location?.searchParams.get('vouch_ref')).toBe('GIVEN-UP');
    });
  });

  describe('other fields', () => {
    it('changes email and name, and clears them with null', async () => {
      const participant = await makeParticipant(t, programId, { email: 'old@example.com', name: 'Old' });

      const changed = await patch(participant.id, { email: 'new@example.com', name: 'New' });
      const cleared = await patch(participant.id, { email: null, name: null });

      expect(changed.body).toMatchObject({ email: 'new@example.com', name: 'New' });
      expect(cleared.body).toMatchObject({ email: null, name: null });
    });

    it.each([
      ['an invalid email', { email: 'nope' }, 'invalid_format', 'email'],
      ['an unknown status', { status: 'banned' }, 'invalid_value', 'status'],
      ['an unknown field', { program_id: 'prg_other' }, 'unknown_field', 'program_id'],
      ['a numeric code', { referral_code: 12345 }, 'invalid_type', 'referral_code'],
    ])('answers 400 for %s', async (_case, body, code, param) => {
      const participant = await makeParticipant(t, programId);

      const res = await patch(participant.id, body);

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code, param });
    });

    it('answers 404 resource_missing for an unknown id', async () => {
      const res = await patch('par_00000000000000000000000000', { name: 'Nobody' });

      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('resource_missing');
    });
  });

  describe('disabling', () => {
    it('disables a participant whose link then answers 404', async () => {
      const participant = await makeParticipant(t, programId);

      const res = await patch(participant.id, { status: 'disabled' });

      expect(res.status).toBe(200);
      expect(res.body.status).toBe('disabled');
      const { res: redirect } = await click(t, participant.referral_code);
      expect(redirect.statusCode).toBe(404);
      expect(redirect.headers.location).toBeUndefined();
    });

    it('stops a link that was already clicked within the 5 s code cache', async () => {
      const start = new Date('2030-01-01T00:00:00.000Z');
      t.setNow(start);
      const participant = await makeParticipant(t, programId);
      expect((await click(t, participant.referral_code)).res.statusCode).toBe(302);

      await patch(participant.id, { status: 'disabled' });
      t.setNow(new Date(start.getTime() + 5_001));

      expect((await click(t, participant.referral_code)).res.statusCode).toBe(404);
      t.setNow(null);
    });

    it('disables every code of the participant, old and vanity alike', async () => {
      const participant = await makeParticipant(t, programId);
      await patch(participant.id, { referral_code: 'SOON-DISABLED' });

      await patch(participant.id, { status: 'disabled' });

      expect((await click(t, participant.referral_code)).res.statusCode).toBe(404);
      expect((await click(t, 'SOON-DISABLED')).res.statusCode).toBe(404);
    });
  });
});
