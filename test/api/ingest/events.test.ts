import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Reply, type TestApp } from '../../support/app.ts';
import { click, event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';
import { countRows, postingSums } from '../../support/tables.ts';

const DAY_MS = 86_400_000;
const T = new Date('2031-03-01T12:00:00.000Z');
const daysAfter = (days: number, from = T) => new Date(from.getTime() + days * DAY_MS);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterEach(() => t.setNow(null));
afterAll(() => t.close());

const postEvent = (body: unknown) => t.api('POST', '/v1/events', body);

async function referralOf(res: Reply) {
  const [id] = res.body.result.referral_ids;
  const found = await t.api('GET', `/v1/referrals/${id}`);
  expect(found.status).toBe(200);
  return found.body;
}

async function balancesOf(participantId: string) {
  return (await t.api('GET', `/v1/participants/${participantId}`)).body.balances;
}

/** A program, a referrer in it, and a friend who signed up with the referrer's code. */
async function referredFriend(programOverrides: Record<string, unknown> = {}) {
  const program = await makeProgram(t, programOverrides);
  const referrer = await makeParticipant(t, program.id);
  const friend = unique('friend');
  const signup = await postEvent(event('signup', friend, { referral: { code: referrer.referral_code } }));
  expect(signup.body.result.outcome).toBe('referral_created');
  return { program, referrer, friend, signup, referral: await referralOf(signup) };
}

const purchase = (customer: string, extra: Record<string, unknown> = {}) =>
  event('purchase', customer, { amount: 4200, currency: 'USD', ...extra });

describe('sign-up attribution', () => {
  it('creates a referral from the click id the redirect handed out', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    const { clickId } = await click(t, referrer.referral_code);

    const res = await postEvent(event('signup', unique('friend'), { referral: { click_id: clickId } }));

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ object: 'event', type: 'signup', program_id: program.id });
    expect(res.body.result).toMatchObject({ outcome: 'referral_created', reason: null, reward_ids: [] });
    const referral = await referralOf(res);
    expect(referral).toMatchObject({
      program_id: program.id,
      referrer_id: referrer.id,
      status: 'pending',
      attribution_method: 'click',
      click_id: clickId,
      code: referrer.referral_code,
      signup_event_id: res.body.id,
    });
  });

  it('creates a referral from a code typed at sign-up', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);

    const res = await postEvent(
      event('signup', unique('friend'), { referral: { code: referrer.referral_code } }),
    );

    expect(res.status).toBe(201);
    expect(res.body.result.outcome).toBe('referral_created');
    expect(await referralOf(res)).toMatchObject({
      referrer_id: referrer.id,
      attribution_method: 'code',
      click_id: null,
      code: referrer.referral_code,
    });
  });

  it('matches a code in any letter case, and stores the canonical code', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);

    const res = await postEvent(
      event('signup', unique('friend'), { referral: { code: referrer.referral_code.toLowerCase() } }),
    );

    expect(res.body.result.outcome).toBe('referral_created');
    expect((await referralOf(res)).code).toBe(referrer.referral_code);
  });

  it('enrols the referee as a participant with a referral code of its own', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    const friend = unique('friend');
    const res = await postEvent(event('signup', friend, { referral: { code: referrer.referral_code } }));
    const referral = await referralOf(res);

    // Enrolment is idempotent by external id: 200 means the sign-up already enrolled them.
    const enrolled = await t.api('POST', '/v1/participants', { program_id: program.id, external_id: friend });

    expect(enrolled.status).toBe(200);
    expect(enrolled.body.id).toBe(referral.referee_id);
    expect(enrolled.body.referral_code).toMatch(/^[A-Z0-9]{8}$/);
    expect(enrolled.body.referral_code).not.toBe(referrer.referral_code);
  });

  it('credits the code in vouch_ref when the browser keeps no cookie and runs no JavaScript', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    const { res: redirect, location } = await click(t, referrer.referral_code);
    expect(redirect.statusCode).toBe(302);
    // Only what survives in the landing URL; the cookie and the click id are dropped.
    const code = location?.searchParams.get('vouch_ref');
    expect(code).toBe(referrer.referral_code);

    const res = await postEvent(event('signup', unique('friend'), { referral: { code } }));

    expect(res.status).toBe(201);
    expect(res.body.result.outcome).toBe('referral_created');
    expect(await referralOf(res)).toMatchObject({ referrer_id: referrer.id, attribution_method: 'code' });
  });

  it('answers no_referral for a sign-up that carries no referral', async () => {
    const res = await postEvent(event('signup', unique('organic')));

    expect(res.status).toBe(201);
    expect(res.body.program_id).toBeNull();
    expect(res.body.result).toEqual({
      outcome: 'no_referral',
      reason: null,
      referral_ids: [],
      reward_ids: [],
    });
  });

  it('enrols a customer who signs up without a referral when the program is named', async () => {
    const program = await makeProgram(t);
    const customer = unique('organic');

    const res = await postEvent(event('signup', customer, { program_id: program.id }));

    expect(res.status).toBe(201);
    expect(res.body.result.outcome).toBe('no_referral');
    const enrolled = await t.api('POST', '/v1/participants', {
      program_id: program.id,
      external_id: customer,
    });
    expect(enrolled.status).toBe(200);
  });

  it('creates no referral while the program is paused', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    await t.api('PATCH', `/v1/programs/${program.id}`, { status: 'paused' });

    const res = await postEvent(
      event('signup', unique('friend'), { referral: { code: referrer.referral_code } }),
    );

    expect(res.status).toBe(201);
    expect(res.body.result).toMatchObject({
      outcome: 'no_referral',
      reason: 'program_not_active',
      referral_ids: [],
    });
  });

  it('creates no referral for a disabled referrer', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    await t.api('PATCH', `/v1/participants/${referrer.id}`, { status: 'disabled' });

    const res = await postEvent(
      event('signup', unique('friend'), { referral: { code: referrer.referral_code } }),
    );

    expect(res.body.result).toMatchObject({
      outcome: 'no_referral',
      reason: 'referrer_disabled',
      referral_ids: [],
    });
  });

  it('ignores a click older than the attribution window', async () => {
    const program = await makeProgram(t, { attribution_window_days: 30 });
    const referrer = await makeParticipant(t, program.id);
    t.setNow(T);
    const { clickId } = await click(t, referrer.referral_code);

    t.setNow(daysAfter(31));
    const res = await postEvent(event('signup', unique('friend'), { referral: { click_id: clickId } }));

    expect(res.status).toBe(201);
    expect(res.body.result).toMatchObject({
      outcome: 'no_referral',
      reason: 'outside_window',
      referral_ids: [],
    });
  });
});

describe('self-referral', () => {
  it('rejects a referrer signing up with their own code, and pays nothing for their purchase', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);

    const res = await postEvent(
      event('signup', referrer.external_id, { referral: { code: referrer.referral_code } }),
    );

    expect(res.status).toBe(201);
    expect(res.body.result).toMatchObject({ outcome: 'referral_rejected', reason: 'self_referral' });
    expect(await referralOf(res)).toMatchObject({ status: 'rejected', rejection_reason: 'self_referral' });

    const bought = await postEvent(purchase(referrer.external_id));
    expect(bought.body.result).toMatchObject({ outcome: 'not_qualified', reward_ids: [] });
    const rewards = await t.api('GET', `/v1/rewards?participant_id=${referrer.id}`);
    expect(rewards.body.data).toEqual([]);
  });

  it('rejects a new account with the referrer’s email in another letter case', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id, { email: 'Alice.Smith@Example.com' });
    const alias = unique('alias');

    const res = await postEvent(
      event('signup', alias, {
        customer: { external_id: alias, email: 'alice.smith@EXAMPLE.COM' },
        referral: { code: referrer.referral_code },
      }),
    );

    expect(res.body.result).toMatchObject({ outcome: 'referral_rejected', reason: 'self_referral' });
    expect(await referralOf(res)).toMatchObject({ status: 'rejected', referrer_id: referrer.id });

    const bought = await postEvent(purchase(alias));
    expect(bought.body.result).toMatchObject({ outcome: 'not_qualified', reward_ids: [] });
    const referrals = await t.api('GET', `/v1/rewards?referral_id=${res.body.result.referral_ids[0]}`);
    expect(referrals.body.data).toEqual([]);
    expect(await balancesOf(referrer.id)).toEqual([]);
  });
  it('refuses an email padded with spaces at the edge instead of storing it as another identity', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id, { email: 'carol@example.com' });
    const before = await countRows(t.store.db);
    const alias = unique('alias');

    const res = await postEvent(
      event('signup', alias, {
        customer: { external_id: alias, email: ' Carol@example.com ' },
        referral: { code: referrer.referral_code },
      }),
    );

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_format', param: 'customer.email' });
    expect(await countRows(t.store.db)).toEqual(before);
  });
});

describe('a customer already referred', () => {
  it('keeps the first referral when a later sign-up names another referrer', async () => {
    const { program, referral, friend } = await referredFriend();
    const other = await makeParticipant(t, program.id);

    const again = await postEvent(event('signup', friend, { referral: { code: other.referral_code } }));

    expect(again.status).toBe(201);
    expect(again.body.result).toMatchObject({
      outcome: 'no_referral',
      reason: 'already_referred',
      referral_ids: [],
    });
    expect((await t.api('GET', `/v1/referrals/${referral.id}`)).body).toMatchObject({
      referrer_id: referral.referrer_id,
      status: 'pending',
    });
    const others = await t.api('GET', `/v1/referrals?referrer_id=${other.id}`);
    expect(others.body.data).toEqual([]);
  });
});

describe('idempotency by (type, external_id)', () => {
  it('answers a repeated sign-up with 200 and the first response, and writes it once', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    const body = event('signup', unique('friend'), { referral: { code: referrer.referral_code } });

    const first = await postEvent(body);
    const second = await postEvent(body);

    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const events = await t.store.db
      .selectFrom('events')
      .selectAll()
      .where('external_id', '=', body.external_id)
      .execute();
    expect(events).toHaveLength(1);
    const referrals = await t.api('GET', `/v1/referrals?referrer_id=${referrer.id}`);
    expect(referrals.body.data).toHaveLength(1);
  });

  it('answers a repeat with another body with the first event, and changes nothing', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    const body = event('signup', unique('friend'));
    const first = await postEvent(body);

    const second = await postEvent({ ...body, referral: { code: referrer.referral_code } });

    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect((await t.api('GET', `/v1/referrals?referrer_id=${referrer.id}`)).body.data).toEqual([]);
  });

  it('lets a rejected event be sent again with the same external_id', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    const body = event('signup', unique('friend'), { referral: { code: 'NO-SUCH-CODE' } });
    expect((await postEvent(body)).status).toBe(404);

    const retry = await postEvent({ ...body, referral: { code: referrer.referral_code } });

    expect(retry.status).toBe(201);
    expect(retry.body.result.outcome).toBe('referral_created');
  });

  it('does not reward a replayed purchase twice', async () => {
    const { friend, referrer } = await referredFriend();
    const body = purchase(friend);

    const first = await postEvent(body);
    const second = await postEvent(body);

    expect(first.body.result.outcome).toBe('referral_qualified');
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const rewards = await t.store.db
      .selectFrom('rewards')
      .selectAll()
      .where('referral_id', '=', first.body.result.referral_ids[0])
      .execute();
    expect(rewards).toHaveLength(2);
    expect(await balancesOf(referrer.id)).toEqual([
      { currency: 'USD', pending: 1000, available: 0, processing: 0, paid: 0 },
    ]);
  });
});

describe('concurrent deliveries', () => {
  it('attributes concurrent sign-ups of one customer to exactly one referrer', async () => {
    const program = await makeProgram(t);
    const referrers = await Promise.all([1, 2, 3].map(() => makeParticipant(t, program.id)));
    const friend = unique('friend');

    const replies = await Promise.all(
      referrers.map((r) => postEvent(event('signup', friend, { referral: { code: r.referral_code } }))),
    );

    const outcomes = replies.map((r) => r.body.result.outcome).sort();
    expect(outcomes).toEqual(['no_referral', 'no_referral', 'referral_created']);
    const referrals = await t.store.db
      .selectFrom('referrals')
      .selectAll()
      .where('program_id', '=', program.id)
      .execute();
    expect(referrals).toHaveLength(1);
  });

  it('rewards once when the same purchase arrives several times at once', async () => {
    const { friend, referral } = await referredFriend();
    const body = purchase(friend);

    const replies = await Promise.all([1, 2, 3, 4].map(() => postEvent(body)));

    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    for (const r of replies) expect(r.body.result.outcome).toBe('referral_qualified');
    const rewards = await t.store.db
      .selectFrom('rewards')
      .selectAll()
      .where('referral_id', '=', referral.id)
      .execute();
    expect(rewards).toHaveLength(2);
  });

  it('rewards once when two different first purchases arrive at once', async () => {
    const { friend, referral } = await referredFriend();

    const replies = await Promise.all([purchase(friend), purchase(friend)].map(postEvent));

    expect(replies.map((r) => r.body.result.outcome).sort()).toEqual(['not_qualified', 'referral_qualified']);
    const rewards = await t.store.db
      .selectFrom('rewards')
      .selectAll()
      .where('referral_id', '=', referral.id)
      .execute();
    expect(rewards).toHaveLength(2);
  });
});

describe('qualification by the first purchase', () => {
  it('qualifies the referral and rewards both sides as pending, in balanced postings', async () => {
    const { friend, referrer, referral } = await referredFriend({
      rewards: { referrer: { amount: 1500, currency: 'USD' }, referee: { amount: 500, currency: 'USD' } },
    });

    const res = await postEvent(purchase(friend));

    expect(res.status).toBe(201);
    expect(res.body.result).toMatchObject({
      outcome: 'referral_qualified',
      reason: null,
      referral_ids: [referral.id],
    });
    expect(res.body.result.reward_ids).toHaveLength(2);
    expect(await referralOf(res)).toMatchObject({ status: 'qualified', qualifying_event_id: res.body.id });

    const rewards = await t.api('GET', `/v1/rewards?referral_id=${referral.id}`);
    const bySide = Object.fromEntries(rewards.body.data.map((r: { side: string }) => [r.side, r]));
    expect(bySide.referrer).toMatchObject({
      participant_id: referrer.id,
      amount: 1500,
      currency: 'USD',
      status: 'pending',
    });
    expect(bySide.referee).toMatchObject({
      participant_id: referral.referee_id,
      amount: 500,
      currency: 'USD',
      status: 'pending',
    });

    expect(await balancesOf(referrer.id)).toEqual([
      { currency: 'USD', pending: 1500, available: 0, processing: 0, paid: 0 },
    ]);
    expect(await balancesOf(referral.referee_id)).toEqual([
      { currency: 'USD', pending: 500, available: 0, processing: 0, paid: 0 },
    ]);

    // One posting per reward, each summing to zero: double entry.
    const postings = await postingSums(t.store.db, res.body.result.reward_ids);
    expect(postings).toHaveLength(2);
    expect(postings.map((p) => p.sum)).toEqual([0, 0]);
  });

  it('does not qualify again on a second purchase, and leaves balances as they were', async () => {
    const { friend, referrer, referral } = await referredFriend();
    await postEvent(purchase(friend));
    const before = [await balancesOf(referrer.id), await balancesOf(referral.referee_id)];

    const res = await postEvent(purchase(friend, { amount: 9900 }));

    expect(res.status).toBe(201);
    expect(res.body.result.outcome).toBe('not_qualified');
    expect(['already_qualified', 'no_pending_referral']).toContain(res.body.result.reason);
    expect(res.body.result.reward_ids).toEqual([]);
    expect([await balancesOf(referrer.id), await balancesOf(referral.referee_id)]).toEqual(before);
  });

  it('expires the referral when the first purchase comes after the window', async () => {
    t.setNow(T);
    const { friend, referrer, referral } = await referredFriend({ attribution_window_days: 30 });

    t.setNow(daysAfter(31));
    const res = await postEvent(purchase(friend, { occurred_at: daysAfter(31).toISOString() }));

    expect(res.status).toBe(201);
    expect(res.body.result).toMatchObject({
      outcome: 'not_qualified',
      reason: 'outside_window',
      reward_ids: [],
    });
    expect((await t.api('GET', `/v1/referrals/${referral.id}`)).body.status).toBe('expired');
    expect(await balancesOf(referrer.id)).toEqual([]);
  });

  it('judges the window by occurred_at, so a late-delivered purchase made in time qualifies', async () => {
    t.setNow(T);
    const { friend } = await referredFriend({ attribution_window_days: 30 });

    t.setNow(daysAfter(40));
    const res = await postEvent(purchase(friend, { occurred_at: daysAfter(29).toISOString() }));

    expect(res.body.result.outcome).toBe('referral_qualified');
  });

  it('creates only the referrer’s reward in a one-sided program', async () => {
    const { friend, referrer, referral } = await referredFriend({
      rewards: { referrer: { amount: 2500, currency: 'EUR' }, referee: null },
    });

    const res = await postEvent(purchase(friend));

    expect(res.body.result.outcome).toBe('referral_qualified');
    expect(res.body.result.reward_ids).toHaveLength(1);
    const rewards = await t.api('GET', `/v1/rewards?referral_id=${referral.id}`);
    expect(rewards.body.data).toEqual([
      expect.objectContaining({
        side: 'referrer',
        participant_id: referrer.id,
        amount: 2500,
        currency: 'EUR',
      }),
    ]);
    expect(await balancesOf(referral.referee_id)).toEqual([]);
  });
});

describe('refunds', () => {
  it('records a refund whose purchase it has not seen, and reverses nothing', async () => {
    const { friend } = await referredFriend();

    const res = await postEvent(
      event('refund', friend, { amount: 4200, currency: 'USD', purchase_external_id: unique('order') }),
    );

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: 'refund', amount: 4200, currency: 'USD' });
    expect(res.body.result).toEqual({
      outcome: 'recorded',
      reason: 'purchase_not_found',
      referral_ids: [],
      reward_ids: [],
    });
  });
});

describe('a refund before its purchase', () => {
  /** The rewards of a referral as refunds leave them: status and what is left of each. */
  async function rewardsLeft(referralId: string) {
    const rewards = (await t.api('GET', `/v1/rewards?referral_id=${referralId}`)).body.data;
    return rewards
      .map((r: { side: string; status: string; amount: number; reversed_amount: number }) => [
        r.side,
        r.status,
        r.amount - r.reversed_amount,
      ])
      .sort();
  }

  /** A referred friend's order of 4,200 and a refund of `refunded` of it, sent in the given order. */
  async function orderAndRefund(refunded: number, send: (order: unknown, refund: unknown) => Promise<void>) {
    const { friend, referrer, referral } = await referredFriend();
    const order = purchase(friend);
    const refund = event('refund', friend, {
      amount: refunded,
      currency: 'USD',
      purchase_external_id: order.external_id,
    });
    await send(order, refund);
    return { referral, referrer, left: await rewardsLeft(referral.id) };
  }

  const inOrder = async (order: unknown, refund: unknown) => {
    await postEvent(order);
    await postEvent(refund);
  };
  const refundFirst = async (order: unknown, refund: unknown) => {
    expect((await postEvent(refund)).body.result.reason).toBe('purchase_not_found');
    expect((await postEvent(order)).body.result.outcome).toBe('referral_qualified');
  };

  it.each([
    ['half of it', 2100],
    ['all of it', 4200],
  ])('leaves the rewards as if it had come after, when it refunds %s', async (_what, refunded) => {
    const expected = await orderAndRefund(refunded, inOrder);
    const early = await orderAndRefund(refunded, refundFirst);
    expect(early.left).toEqual(expected.left);
    expect(early.left.map(([, , left]: [string, string, number]) => left)).toEqual(
      refunded === 4200 ? [0, 0] : [500, 500],
    );
    expect(await balancesOf(early.referrer.id)).toEqual(await balancesOf(expected.referrer.id));
  });

  it('leaves the same rewards when a refund and its purchase arrive at once', async () => {
    for (let round = 0; round < 5; round++) {
      const { left } = await orderAndRefund(2100, async (order, refund) => {
        await Promise.all([postEvent(order), postEvent(refund)]);
      });
      expect(left, `round ${round}`).toEqual([
        ['referee', 'pending', 500],
        ['referrer', 'pending', 500],
      ]);
    }
  });
});

describe('referral errors', () => {
  it('answers 404 for an unknown click id without a code, and writes nothing', async () => {
    const before = await countRows(t.store.db);
    const body = event('signup', unique('friend'), {
      referral: { click_id: 'clk_00000000000000000000000000' },
    });

    const res = await postEvent(body);

    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      type: 'invalid_request',
      code: 'resource_missing',
      param: 'referral.click_id',
    });
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('falls back to the code when the click id is unknown', async () => {
    const program = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);

    const res = await postEvent(
      event('signup', unique('friend'), {
        referral: { click_id: 'clk_00000000000000000000000000', code: referrer.referral_code },
      }),
    );

    expect(res.status).toBe(201);
    expect(res.body.result.outcome).toBe('referral_created');
    expect(await referralOf(res)).toMatchObject({
      referrer_id: referrer.id,
      attribution_method: 'code',
      click_id: null,
    });
  });

  it('answers 404 for an unknown code, and writes nothing', async () => {
    const before = await countRows(t.store.db);

    const res = await postEvent(event('signup', unique('friend'), { referral: { code: 'NO-SUCH-CODE' } }));

    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'resource_missing', param: 'referral.code' });
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it.each(['signup', 'purchase', 'refund'] as const)(
    'answers 404 for a %s naming an unknown program, and writes nothing',
    async (type) => {
      const before = await countRows(t.store.db);

      const refund = type === 'refund' ? { purchase_external_id: 'order-1' } : {};
      const res = await postEvent(
        event(type, unique('customer'), {
          program_id: 'prg_missing',
          amount: 100,
          currency: 'USD',
          ...refund,
        }),
      );

      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'resource_missing', param: 'program_id' });
      expect(await countRows(t.store.db)).toEqual(before);
    },
  );

  it('answers 422 when program_id names another program than the code, and writes nothing', async () => {
    const program = await makeProgram(t);
    const other = await makeProgram(t);
    const referrer = await makeParticipant(t, program.id);
    const before = await countRows(t.store.db);

    const res = await postEvent(
      event('signup', unique('friend'), { program_id: other.id, referral: { code: referrer.referral_code } }),
    );

    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      type: 'unprocessable',
      code: 'program_mismatch',
      param: 'referral.code',
    });
    expect(await countRows(t.store.db)).toEqual(before);
  });
});

describe('input validation', () => {
  const customer = 'validation-customer';
  const purchaseWith = (extra: Record<string, unknown>) => ({
    type: 'purchase',
    external_id: unique('order'),
    customer: { external_id: customer },
    amount: 4200,
    currency: 'USD',
    ...extra,
  });
  const without = (field: 'amount' | 'currency') => {
    const body: Record<string, unknown> = purchaseWith({});
    delete body[field];
    return body;
  };

  it.each([
    ['a purchase without amount', without('amount'), 'missing_field', 'amount'],
    ['a purchase without currency', without('currency'), 'missing_field', 'currency'],
    ['a refund without amount', { ...without('amount'), type: 'refund' }, 'missing_field', 'amount'],
    [
      'a refund without the purchase it refunds',
      { ...purchaseWith({}), type: 'refund' },
      'missing_field',
      'purchase_external_id',
    ],
    [
      'a purchase naming a purchase to refund',
      purchaseWith({ purchase_external_id: 'order-1' }),
      'invalid_value',
      'purchase_external_id',
    ],
    ['a negative amount', purchaseWith({ amount: -1 }), 'amount_negative', 'amount'],
    ['a fractional amount', purchaseWith({ amount: 10.5 }), 'amount_not_integer', 'amount'],
    ['an amount as a string', purchaseWith({ amount: '4200' }), 'invalid_type', 'amount'],
    ['an amount past the maximum', purchaseWith({ amount: 1e13 }), 'amount_too_large', 'amount'],
    ['an unknown currency', purchaseWith({ currency: 'XYZ' }), 'unknown_currency', 'currency'],
    ['a lower-case currency', purchaseWith({ currency: 'usd' }), 'unknown_currency', 'currency'],
    ['a currency of four letters', purchaseWith({ currency: 'USDT' }), 'invalid_length', 'currency'],
    [
      'occurred_at a day ahead',
      purchaseWith({ occurred_at: new Date(Date.now() + DAY_MS).toISOString() }),
      'occurred_at_in_future',
      'occurred_at',
    ],
    [
      'occurred_at that is not a date',
      purchaseWith({ occurred_at: 'yesterday' }),
      'invalid_format',
      'occurred_at',
    ],
    [
      'occurred_at without a time',
      purchaseWith({ occurred_at: '2024-05-01' }),
      'invalid_format',
      'occurred_at',
    ],
    ['an unknown type', purchaseWith({ type: 'bogus' }), 'invalid_value', 'type'],
    ['no customer', { type: 'signup', external_id: unique('signup') }, 'missing_field', 'customer'],
    ['an empty external_id', purchaseWith({ external_id: '' }), 'invalid_length', 'external_id'],
    [
      'a malformed email',
      purchaseWith({ customer: { external_id: customer, email: 'not-an-email' } }),
      'invalid_format',
      'customer.email',
    ],
    [
      'an unknown referral field',
      {
        type: 'signup',
        external_id: unique('signup'),
        customer: { external_id: customer },
        referral: { coupon: 'X' },
      },
      'unknown_field',
      'referral.coupon',
    ],
  ])('answers 400 for %s, and writes nothing', async (_case, body, code, param) => {
    const before = await countRows(t.store.db);

    const res = await postEvent(body);

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request', code, param });
    expect(typeof res.body.error.message).toBe('string');
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('tolerates a few minutes of client clock skew in occurred_at', async () => {
    const ahead = new Date(Date.now() + 60_000).toISOString();

    const res = await postEvent(event('signup', unique('skewed'), { occurred_at: ahead }));

    expect(res.status).toBe(201);
    expect(res.body.occurred_at).toBe(ahead);
  });
});
