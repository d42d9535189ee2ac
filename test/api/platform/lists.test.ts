import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../../src/services/access/api-keys.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';

type Participant = Awaited<ReturnType<typeof makeParticipant>>;
const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((item) => item.id);

/** A friend signs up with the referrer's code and, when `buys`, makes a qualifying purchase. */
async function refer(t: TestApp, referrer: Participant, options: { buys?: boolean; customer?: string } = {}) {
  const friend = options.customer ?? unique('friend');
  const signup = await t.api(
    'POST',
    '/v1/events',
    event('signup', friend, { referral: { code: referrer.referral_code } }),
  );
  const referralId: string = signup.body.result.referral_ids[0];
  if (!referralId) throw new Error(`no referral: ${JSON.stringify(signup.body)}`);
  let rewardIds: string[] = [];
  if (options.buys) {
    const purchase = await t.api(
      'POST',
      '/v1/events',
      event('purchase', friend, { amount: 5000, currency: 'USD' }),
    );
    rewardIds = purchase.body.result.reward_ids;
  }
  return { referralId, rewardIds };
}

describe('listing referrals and rewards', () => {
  let t: TestApp;
  let shop: string;
  let other: string;
  let alice: Participant;
  let bob: Participant;
  let carol: Participant;
  // Alice's referrals, oldest first.
  let aliceQualified1: string;
  let alicePending: string;
  let aliceRejected: string;
  let aliceQualified2: string;
  let bobPending: string;
  let carolQualified: string;
  let aliceRewards: string[];
  let firstFriendRewards: string[];

  beforeAll(async () => {
    t = await createTestApp();
    shop = (await makeProgram(t, { name: 'Shop' })).id;
    other = (await makeProgram(t, { name: 'Other' })).id;
    alice = await makeParticipant(t, shop);
    bob = await makeParticipant(t, shop);
    carol = await makeParticipant(t, other);

    const first = await refer(t, alice, { buys: true });
    aliceQualified1 = first.referralId;
    firstFriendRewards = first.rewardIds;
    alicePending = (await refer(t, alice)).referralId;
    aliceRejected = (await refer(t, alice, { customer: alice.external_id })).referralId;
    bobPending = (await refer(t, bob)).referralId;
    const second = await refer(t, alice, { buys: true });
    aliceQualified2 = second.referralId;
    carolQualified = (await refer(t, carol, { buys: true })).referralId;

    const rewards = await t.store.db
      .selectFrom('rewards')
      .select('id')
      .where('participant_id', '=', alice.id)
      .orderBy('id', 'desc')
      .execute();
    aliceRewards = rewards.map((r) => r.id);
  });
  afterAll(() => t.close());

  describe('GET /v1/referrals', () => {
    it('lists every referral newest first', async () => {
      const res = await t.api('GET', '/v1/referrals');

      expect(res.status).toBe(200);
      expect(res.body.object).toBe('list');
      expect(ids(res)).toEqual([
        carolQualified,
        aliceQualified2,
        bobPending,
        aliceRejected,
        alicePending,
        aliceQualified1,
      ]);
      expect(res.body.has_more).toBe(false);
    });

    it('describes each referral: referrer, referee, status, method and code', async () => {
      const res = await t.api('GET', `/v1/referrals?referrer_id=${alice.id}&status=qualified&limit=1`);

      expect(res.body.data[0]).toMatchObject({
        id: aliceQualified2,
        object: 'referral',
        program_id: shop,
        referrer_id: alice.id,
        referee_id: expect.stringMatching(/^par_/),
        status: 'qualified',
        rejection_reason: null,
        attribution_method: 'code',
        code: alice.referral_code,
        click_id: null,
      });
      expect(res.body.data[0].referee_id).not.toBe(alice.id);
    });

    it('filters by program_id', async () => {
      const res = await t.api('GET', `/v1/referrals?program_id=${other}`);

      expect(ids(res)).toEqual([carolQualified]);
    });

    it('filters by referrer_id', async () => {
      const res = await t.api('GET', `/v1/referrals?referrer_id=${bob.id}`);

      expect(ids(res)).toEqual([bobPending]);
    });

    it.each([
      ['pending', () => [bobPending, alicePending]],
      ['qualified', () => [carolQualified, aliceQualified2, aliceQualified1]],
      ['rejected', () => [aliceRejected]],
      ['expired', () => []],
    ])('filters by status %s', async (status, expected) => {
      const res = await t.api('GET', `/v1/referrals?status=${status}`);

      expect(res.status).toBe(200);
      expect(ids(res)).toEqual(expected());
      for (const referral of res.body.data) expect(referral.status).toBe(status);
    });

    it('shows why a referral was rejected', async () => {
      const res = await t.api('GET', `/v1/referrals?status=rejected`);

      expect(res.body.data[0]).toMatchObject({ id: aliceRejected, rejection_reason: 'self_referral' });
    });

    it('combines filters', async () => {
      const res = await t.api(
        'GET',
        `/v1/referrals?program_id=${shop}&referrer_id=${alice.id}&status=qualified`,
      );

      expect(ids(res)).toEqual([aliceQualified2, aliceQualified1]);
    });

    it('pages through a filtered list with limit and starting_after', async () => {
      const query = `referrer_id=${alice.id}&limit=2`;

      const first = await t.api('GET', `/v1/referrals?${query}`);
      const second = await t.api('GET', `/v1/referrals?${query}&starting_after=${first.body.data[1].id}`);

      expect(ids(first)).toEqual([aliceQualified2, aliceRejected]);
      expect(first.body.has_more).toBe(true);
      expect(ids(second)).toEqual([alicePending, aliceQualified1]);
      expect(second.body.has_more).toBe(false);
    });

    it('answers an empty list for a filter nothing matches', async () => {
      const res = await t.api('GET', '/v1/referrals?referrer_id=par_00000000000000000000000000');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ object: 'list', data: [], has_more: false });
    });

    it('gets one referral by id, and answers 404 resource_missing for an unknown one', async () => {
      const found = await t.api('GET', `/v1/referrals/${alicePending}`);
      const missing = await t.api('GET', '/v1/referrals/ref_00000000000000000000000000');

      expect(found.status).toBe(200);
      expect(found.body).toMatchObject({ id: alicePending, status: 'pending' });
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('resource_missing');
    });
  });

  describe('GET /v1/rewards', () => {
    it("lists a participant's rewards newest first", async () => {
      const res = await t.api('GET', `/v1/rewards?participant_id=${alice.id}`);

      expect(res.status).toBe(200);
      expect(ids(res)).toEqual(aliceRewards);
      expect(res.body.data).toHaveLength(2);
      for (const reward of res.body.data) {
        expect(reward).toMatchObject({
          object: 'reward',
          program_id: shop,
          participant_id: alice.id,
          side: 'referrer',
          amount: 1000,
          currency: 'USD',
          status: 'pending',
        });
        expect(reward.id).toMatch(/^rwd_/);
      }
      expect(res.body.data.map((r: { referral_id: string }) => r.referral_id)).toEqual([
        aliceQualified2,
        aliceQualified1,
      ]);
    });

    it('pages with limit and starting_after', async () => {
      const first = await t.api('GET', `/v1/rewards?participant_id=${alice.id}&limit=1`);
      const second = await t.api(
        'GET',
        `/v1/rewards?participant_id=${alice.id}&limit=1&starting_after=${first.body.data[0].id}`,
      );

      expect(ids(first)).toEqual([aliceRewards[0]]);
      expect(first.body.has_more).toBe(true);
      expect(ids(second)).toEqual([aliceRewards[1]]);
      expect(second.body.has_more).toBe(false);
    });

    it('lists both sides of one referral by referral_id', async () => {
      const res = await t.api('GET', `/v1/rewards?referral_id=${aliceQualified1}`);

      expect([...ids(res)].sort()).toEqual([...firstFriendRewards].sort());
      expect(res.body.data.map((r: { side: string }) => r.side).sort()).toEqual(['referee', 'referrer']);
    });

    it('lists nothing for a participant without rewards', async () => {
      const res = await t.api('GET', `/v1/rewards?participant_id=${bob.id}`);

      expect(res.body).toEqual({ object: 'list', data: [], has_more: false });
    });

    it('lists every reward without a filter', async () => {
      const res = await t.api('GET', '/v1/rewards?limit=100');

      // Three qualified referrals, each rewarding both sides.
      expect(res.body.data).toHaveLength(6);
      expect(ids(res)).toEqual([...ids(res)].sort().reverse());
    });
  });

  describe('invalid queries', () => {
    it.each([
      ['/v1/referrals', 'limit=0', 'value_too_small', 'limit'],
      ['/v1/referrals', 'limit=101', 'value_too_large', 'limit'],
      ['/v1/referrals', 'limit=-1', 'value_too_small', 'limit'],
      ['/v1/referrals', 'limit=ten', 'invalid_type', 'limit'],
      ['/v1/referrals', 'status=bogus', 'invalid_value', 'status'],
      ['/v1/referrals', 'status=QUALIFIED', 'invalid_value', 'status'],
      ['/v1/referrals', 'starting_after=', 'invalid_length', 'starting_after'],
      ['/v1/referrals', 'participant_id=par_1', 'unknown_field', 'participant_id'],
      ['/v1/rewards', 'limit=0', 'value_too_small', 'limit'],
      ['/v1/rewards', 'limit=101', 'value_too_large', 'limit'],
      ['/v1/rewards', 'limit=1.5', 'invalid_type', 'limit'],
      ['/v1/rewards', 'participant_id=', 'invalid_length', 'participant_id'],
      ['/v1/rewards', 'side=referrer', 'unknown_field', 'side'],
    ])('%s?%s answers 400 %s naming %s', async (path, query, code, param) => {
      const res = await t.api('GET', `${path}?${query}`);

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request', code, param });
    });

    it.each([
      '/v1/programs',
      '/v1/referrals',
      '/v1/rewards',
      '/v1/payouts',
      '/v1/audit_log',
      '/v1/invites',
      '/v1/reviews',
      '/v1/reward_pools',
      '/v1/fulfilment_tasks',
      '/v1/webhook_endpoints',
    ])('%s answers 400 invalid_cursor to a starting_after that names nothing', async (path) => {
      for (const cursor of ['garbage!', 'ref_01ZZZZZZZZZZZZZZZZZZZZZZZZ', shop]) {
        // The program id names a program, not an item of the other lists.
        if (path === '/v1/programs' && cursor === shop) continue;
        const res = await t.api('GET', `${path}?starting_after=${encodeURIComponent(cursor)}`);

        expect(res.status, `${path} ${cursor}`).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'invalid_cursor', param: 'starting_after' });
      }
    });

    it('continues a walk from an item the filter no longer keeps (its status changed)', async () => {
      const qualified = await t.api('GET', `/v1/referrals?referrer_id=${alice.id}&status=qualified`);
      const res = await t.api(
        'GET',
        `/v1/referrals?referrer_id=${alice.id}&status=pending&starting_after=${qualified.body.data[0].id}`,
      );

      expect(res.status).toBe(200);
      expect(ids(res).every((id: string) => id < qualified.body.data[0].id)).toBe(true);
    });

    it.each(['/v1/referrals', '/v1/rewards'])('%s accepts limit=100, the largest page', async (path) => {
      const res = await t.api('GET', `${path}?limit=100`);

      expect(res.status).toBe(200);
    });
  });

  describe('security', () => {
    const wrongKey = { authorization: 'Bearer sk_wrongwrongwrongwrongwrongwrong00' };
    it.each([
      ['/v1/referrals', 'no key', {}, 'missing_api_key'],
      ['/v1/rewards', 'no key', {}, 'missing_api_key'],
      ['/v1/referrals', 'an unknown key', wrongKey, 'invalid_api_key'],
      ['/v1/rewards', 'an unknown key', wrongKey, 'invalid_api_key'],
    ])('%s answers 401 with %s and shows no data', async (path, _case, headers, code) => {
      const res = await t.app.inject({ method: 'GET', url: path, headers });

      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatchObject({ type: 'authentication_error', code });
      expect(res.body).not.toContain(alice.id);
    });

    it('answers 401 for a revoked key', async () => {
      const { key, plaintext } = await t.store.transaction((trx) =>
        createApiKey(trx, 'to revoke', new Date()),
      );
      await t.store.transaction((trx) => revokeApiKey(trx, key.id, new Date()));

      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/rewards',
        headers: { authorization: `Bearer ${plaintext}` },
      });

      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('invalid_api_key');
    });
  });
});
