// Qualification conditions, end to end through POST /v1/events: a named custom event that
// qualifies, a period after the sign-up, participant segments, and a lifetime cap on what one
// referee receives across programs. Each fires and does not fire; bad input is refused by path.
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../src/lib/errors.ts';
import { event, makeParticipant, makeProgram, programBody, unique } from '../../support/factories.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';
import { countRows } from '../../support/tables.ts';

useLedgerCheckedApp();

const DAY_MS = 86_400_000;
const usd = (amount: number) => ({ amount, currency: 'USD' });
const postEvent = (body: unknown) => t.api('POST', '/v1/events', body);
const onTrial = { event: 'custom', event_name: 'trial_converted' };

async function programWith(rules: Record<string, unknown>, referrerFields: Record<string, unknown> = {}) {
  const program = await makeProgram(t, { rewards: { referrer: usd(1000), referee: usd(500) }, ...rules });
  const referrer = await makeParticipant(t, program.id, referrerFields);
  return { program, referrer };
}

/** A new friend signs up with the referrer's code; the friend's customer id and referral. */
async function referFriend(code: string, extra: Record<string, unknown> = {}) {
  const friend = unique('friend');
  const signup = await postEvent(event('signup', friend, { referral: { code }, ...extra }));
  expect(signup.status).toBe(201);
  return { friend, referralId: signup.body.result.referral_ids[0] as string };
}

const custom = (customer: string, name: string, extra: Record<string, unknown> = {}) =>
  postEvent({
    type: 'custom',
    external_id: unique('custom'),
    customer: { external_id: customer },
    name,
    ...extra,
  });
const buy = (customer: string, amount = 10_000) => postEvent(event('purchase', customer, usd(amount)));

async function rewardsOf(body: { result: { reward_ids: string[] } }) {
  const rewards = [];
  for (const id of body.result.reward_ids) rewards.push((await t.api('GET', `/v1/rewards/${id}`)).body);
  return rewards.map((r) => ({ side: r.side, amount: r.amount }));
}

const referral = async (id: string) => (await t.api('GET', `/v1/referrals/${id}`)).body;

describe('a custom qualifying event', () => {
  it('qualifies on the named custom event only, and shows the name on the event', async () => {
    const { referrer } = await programWith({ qualification: onTrial });
    const { friend, referralId } = await referFriend(referrer.referral_code);

    const purchase = await buy(friend);
    const other = await custom(friend, 'trial_started');
    const named = await custom(friend, 'trial_converted');

    expect(purchase.body.result).toMatchObject({ outcome: 'not_qualified', reason: 'not_qualifying_event' });
    expect(other.body.result).toMatchObject({ outcome: 'not_qualified', reason: 'not_qualifying_event' });
    expect(named.status).toBe(201);
    expect(named.body).toMatchObject({
      type: 'custom',
      name: 'trial_converted',
      amount: null,
      currency: null,
    });
    expect(named.body.result.outcome).toBe('referral_qualified');
    expect(await rewardsOf(named.body)).toEqual([
      { side: 'referrer', amount: 1000 },
      { side: 'referee', amount: 500 },
    ]);
    expect(await referral(referralId)).toMatchObject({ status: 'qualified', unrewarded_reason: null });
    expect(purchase.body.name).toBeNull();
  });

  it('is idempotent by type and external_id, like every event', async () => {
    const { referrer } = await programWith({ qualification: onTrial });
    const { friend } = await referFriend(referrer.referral_code);
    const body = { type: 'custom', external_id: unique('trial'), customer: { external_id: friend } };

    const first = await postEvent({ ...body, name: 'trial_converted' });
    const again = await postEvent({ ...body, name: 'trial_converted' });

    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  it("pays a share of the custom event's amount, and says so when it has none", async () => {
    const share = { basis_points: 1000, currency: 'USD' };
    const { referrer } = await programWith({
      rewards: { referrer: usd(1000), referee: share },
      qualification: onTrial,
    });
    const withOrder = await referFriend(referrer.referral_code);
    const withoutOrder = await referFriend(referrer.referral_code);

    const paid = await custom(withOrder.friend, 'trial_converted', usd(4990));
    const unpaid = await custom(withoutOrder.friend, 'trial_converted');

    expect(await rewardsOf(paid.body)).toEqual([
      { side: 'referrer', amount: 1000 },
      { side: 'referee', amount: 499 },
    ]);
    expect(await rewardsOf(unpaid.body)).toEqual([{ side: 'referrer', amount: 1000 }]);
    expect(await referral(withoutOrder.referralId)).toMatchObject({
      status: 'qualified',
      unrewarded_reason: 'no_order_amount',
    });
  });

  it('is screened like a purchase: a card the referrer paid with blocks the referral', async () => {
    const { referrer } = await programWith({ qualification: onTrial });
    await postEvent(
      event('purchase', referrer.external_id, { ...usd(100), context: { payment_fingerprint: 'fp_1' } }),
    );
    const { friend, referralId } = await referFriend(referrer.referral_code);

    const res = await custom(friend, 'trial_converted', { context: { payment_fingerprint: 'fp_1' } });

    expect(res.body.result).toMatchObject({ outcome: 'not_qualified', reason: 'fraud', reward_ids: [] });
    expect(await referral(referralId)).toMatchObject({ status: 'rejected', rejection_reason: 'fraud' });
  });

  it('leaves a purchase-qualified program waiting on custom events', async () => {
    const { referrer } = await programWith({});
    const { friend } = await referFriend(referrer.referral_code);

    const res = await custom(friend, 'trial_converted', usd(5000));

    expect(res.body.result).toMatchObject({ outcome: 'not_qualified', reason: 'not_qualifying_event' });
    expect((await buy(friend)).body.result.outcome).toBe('referral_qualified');
  });
});

describe('within N days of the sign-up', () => {
  const signedUp = new Date('2033-03-01T09:30:00.000Z');

  /** Signs a friend up at `signedUp` (received then, unless the sign-up says it happened earlier). */
  async function friendSignedUp(code: string, extra: Record<string, unknown> = {}) {
    t.setNow(signedUp);
    return referFriend(code, extra);
  }
  const buyAt = (customer: string, at: number) => {
    t.setNow(new Date(at));
    return buy(customer);
  };

  it('qualifies on day N to the millisecond, and expires the referral one millisecond later', async () => {
    const { referrer } = await programWith({ qualification: { within_days: 7 } });
    const onTime = await friendSignedUp(referrer.referral_code);
    const late = await friendSignedUp(referrer.referral_code);
    const deadline = signedUp.getTime() + 7 * DAY_MS;

    const qualified = await buyAt(onTime.friend, deadline);
    const expired = await buyAt(late.friend, deadline + 1);

    expect(qualified.body.result.outcome).toBe('referral_qualified');
    expect(expired.body.result).toMatchObject({
      outcome: 'not_qualified',
      reason: 'outside_qualification_period',
    });
    expect(await referral(late.referralId)).toMatchObject({ status: 'expired' });
  });

  it('counts from when the sign-up happened, not when it was received', async () => {
    const { referrer } = await programWith({ qualification: { within_days: 2 } });
    const happened = new Date(signedUp.getTime() - DAY_MS);
    const { friend } = await friendSignedUp(referrer.referral_code, { occurred_at: happened.toISOString() });

    const res = await buyAt(friend, happened.getTime() + 2 * DAY_MS + 1);

    expect(res.body.result.reason).toBe('outside_qualification_period');
  });

  it('sets no limit by default, within the attribution window', async () => {
    const { referrer } = await programWith({});
    const { friend } = await friendSignedUp(referrer.referral_code);

    const res = await buyAt(friend, signedUp.getTime() + 29 * DAY_MS);

    expect(res.body.result.outcome).toBe('referral_qualified');
  });
});

describe('participant segments', () => {
  it('keeps a segment on the participant, changed and cleared by PATCH', async () => {
    const { program } = await programWith({});
    const created = await makeParticipant(t, program.id, { segment: 'vip' });
    expect(created).toMatchObject({ segment: 'vip' });

    const changed = await t.api('PATCH', `/v1/participants/${created.id}`, { segment: 'staff-2' });
    expect(changed.body.segment).toBe('staff-2');
    await t.api('PATCH', `/v1/participants/${created.id}`, { segment: null });
    expect((await t.api('GET', `/v1/participants/${created.id}`)).body.segment).toBeNull();
    const plain = await makeParticipant(t, program.id);
    expect((await t.api('GET', `/v1/participants/${plain.id}`)).body.segment).toBeNull();
  });

  it("rewards the referrer only in a listed segment; the friend's reward is unaffected", async () => {
    const rules = { qualification: { referrer_segments: ['vip', 'partners'] } };
    const outside = await programWith(rules, { segment: 'staff' });
    const inside = await programWith(rules, { segment: 'partners' });

    const skipped = await buy((await referFriend(outside.referrer.referral_code)).friend);
    const paid = await buy((await referFriend(inside.referrer.referral_code)).friend);

    expect(skipped.body.result.outcome).toBe('referral_qualified');
    expect(await rewardsOf(skipped.body)).toEqual([{ side: 'referee', amount: 500 }]);
    expect(await referral(skipped.body.result.referral_ids[0])).toMatchObject({
      unrewarded_reason: 'segment_not_eligible',
    });
    expect((await rewardsOf(paid.body)).map((r) => r.side)).toEqual(['referrer', 'referee']);
  });

  it('rewards the friend only once they are put in a listed segment', async () => {
    const { referrer } = await programWith({ qualification: { referee_segments: ['new'] } });
    const unsegmented = await referFriend(referrer.referral_code);
    const segmented = await referFriend(referrer.referral_code);
    const friendRecord = (await referral(segmented.referralId)).referee_id;
    await t.api('PATCH', `/v1/participants/${friendRecord}`, { segment: 'new' });

    const skipped = await buy(unsegmented.friend);
    const paid = await buy(segmented.friend);

    expect(await rewardsOf(skipped.body)).toEqual([{ side: 'referrer', amount: 1000 }]);
    expect(await referral(unsegmented.referralId)).toMatchObject({
      unrewarded_reason: 'segment_not_eligible',
    });
    expect((await rewardsOf(paid.body)).map((r) => r.side)).toEqual(['referrer', 'referee']);
  });
});

describe("a cap on one referee's rewards across programs", () => {
  /** The same customer referred in two programs; one purchase qualifies both referrals. */
  async function referredTwice(secondCap: Record<string, unknown>) {
    const first = await programWith({});
    const second = await programWith({ caps: { referee_lifetime: secondCap } });
    const friend = unique('friend');
    for (const { referrer } of [first, second]) {
      await postEvent(event('signup', friend, { referral: { code: referrer.referral_code } }));
    }
    return { friend, res: await buy(friend) };
  }

  it('holds back the referee reward that would pass the count, not the referrer reward', async () => {
    const { res } = await referredTwice({ count: 1 });

    expect(res.body.result.referral_ids).toHaveLength(2);
    expect(await rewardsOf(res.body)).toEqual([
      { side: 'referrer', amount: 1000 },
      { side: 'referee', amount: 500 },
      { side: 'referrer', amount: 1000 },
    ]);
    expect(await referral(res.body.result.referral_ids[1])).toMatchObject({
      unrewarded_reason: 'referee_cap_reached',
    });
  });

  it('rewards the referee again while under the cap', async () => {
    const { res } = await referredTwice({ count: 2, amount: usd(1000) });

    expect((await rewardsOf(res.body)).filter((r) => r.side === 'referee')).toHaveLength(2);
  });

  it('counts what a linked record of the same person received under another customer id', async () => {
    const first = await programWith({});
    const person = unique('person');
    const email = 'jane.doe@example.com';
    await postEvent(event('signup', person, { referral: { code: first.referrer.referral_code } }));
    expect((await buy(person)).body.result.reward_ids).toHaveLength(2);
    const capped = await programWith({ caps: { referee_lifetime: { count: 1 } } });
    await makeParticipant(t, capped.program.id, { external_id: person, email });

    const other = unique('other-id');
    const signup = await postEvent(
      event('signup', other, {
        customer: { external_id: other, email },
        referral: { code: capped.referrer.referral_code },
      }),
    );
    expect(signup.body.result.outcome).toBe('referral_created');
    const res = await buy(other);

    expect(await rewardsOf(res.body)).toEqual([{ side: 'referrer', amount: 1000 }]);
    expect(await referral(signup.body.result.referral_ids[0])).toMatchObject({
      unrewarded_reason: 'referee_cap_reached',
    });
  });
});

describe('versioned rules', () => {
  it('qualifies a referral made before a condition was added under the rules it was made with', async () => {
    const { program, referrer } = await programWith({});
    const start = new Date('2033-06-01T00:00:00.000Z');
    t.setNow(start);
    const before = await referFriend(referrer.referral_code);
    const patched = await t.api('PATCH', `/v1/programs/${program.id}`, {
      qualification: { within_days: 1, referee_segments: ['vip'] },
    });
    expect(patched.body).toMatchObject({
      rules_version: 2,
      qualification: { within_days: 1, referee_segments: ['vip'] },
    });
    const after = await referFriend(referrer.referral_code);

    t.setNow(new Date(start.getTime() + 2 * DAY_MS));
    const old = await buy(before.friend);
    const fresh = await buy(after.friend);

    expect(await rewardsOf(old.body)).toEqual([
      { side: 'referrer', amount: 1000 },
      { side: 'referee', amount: 500 },
    ]);
    expect(fresh.body.result).toMatchObject({
      outcome: 'not_qualified',
      reason: 'outside_qualification_period',
    });
  });

  it('reads rules without the conditions as having none', async () => {
    const { program } = await programWith({});

    const res = await t.api('GET', `/v1/programs/${program.id}`);

    expect(res.body.qualification).toMatchObject({
      event_name: null,
      within_days: null,
      referrer_segments: [],
      referee_segments: [],
    });
    expect(res.body.caps.referee_lifetime).toBeNull();
  });
});

describe('conditions that make no sense are refused, naming the field', () => {
  const long = 'a'.repeat(65);
  // [case, fields, code, param]; each is sent on create and as a PATCH of an existing program.
  const rows: [string, Record<string, unknown>, ErrorCode, string][] = [
    [
      'a custom event without a name',
      { qualification: { event: 'custom' } },
      'missing_field',
      'qualification.event_name',
    ],
    [
      'a custom event named null',
      { qualification: { event: 'custom', event_name: null } },
      'missing_field',
      'qualification.event_name',
    ],
    [
      'a name for a purchase',
      { qualification: { event: 'purchase', event_name: 'trial_converted' } },
      'invalid_value',
      'qualification.event_name',
    ],
    [
      'a name by default',
      { qualification: { event_name: 'trial' } },
      'invalid_value',
      'qualification.event_name',
    ],
    [
      'a name in capitals',
      { qualification: { ...onTrial, event_name: 'Trial' } },
      'invalid_format',
      'qualification.event_name',
    ],
    [
      'a name too long',
      { qualification: { ...onTrial, event_name: long } },
      'invalid_length',
      'qualification.event_name',
    ],
    [
      'the 2nd custom event',
      { qualification: { ...onTrial, purchase_number: 2 } },
      'invalid_value',
      'qualification.purchase_number',
    ],
    ['an unknown event', { qualification: { event: 'refund' } }, 'invalid_value', 'qualification.event'],
    ['0 days', { qualification: { within_days: 0 } }, 'value_too_small', 'qualification.within_days'],
    [
      'over ten years',
      { qualification: { within_days: 3651 } },
      'value_too_large',
      'qualification.within_days',
    ],
    [
      'a fraction of a day',
      { qualification: { within_days: 1.5 } },
      'invalid_type',
      'qualification.within_days',
    ],
    [
      'days as a string',
      { qualification: { within_days: '7' } },
      'invalid_type',
      'qualification.within_days',
    ],
    [
      'segments as a string',
      { qualification: { referrer_segments: 'vip' } },
      'invalid_type',
      'qualification.referrer_segments',
    ],
    [
      'a segment in capitals',
      { qualification: { referee_segments: ['new', 'VIP'] } },
      'invalid_format',
      'qualification.referee_segments.1',
    ],
    [
      'an empty segment',
      { qualification: { referee_segments: [''] } },
      'invalid_length',
      'qualification.referee_segments.0',
    ],
    [
      'an empty referee cap',
      { caps: { referee_lifetime: {} } },
      'missing_field',
      'caps.referee_lifetime.count',
    ],
    [
      'a referee cap of 0',
      { caps: { referee_lifetime: { count: 0 } } },
      'value_too_small',
      'caps.referee_lifetime.count',
    ],
    [
      'a referee cap in an unknown currency',
      { caps: { referee_lifetime: { amount: { amount: 5, currency: 'XYZ' } } } },
      'unknown_currency',
      'caps.referee_lifetime.amount.currency',
    ],
    [
      'a negative referee cap',
      { caps: { referee_lifetime: { amount: usd(-1) } } },
      'amount_negative',
      'caps.referee_lifetime.amount.amount',
    ],
    [
      'an unknown field in a referee cap',
      { caps: { referee_lifetime: { count: 1, per: 'month' } } },
      'unknown_field',
      'caps.referee_lifetime.per',
    ],
  ];

  it.each(rows)('on create: %s', async (_case, fields, code, param) => {
    const before = await countRows(t.store.db);

    const res = await t.api('POST', '/v1/programs', programBody(fields));

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it.each(rows)('on PATCH: %s', async (_case, fields, code, param) => {
    const { program } = await programWith({});
    const before = await countRows(t.store.db);

    const res = await t.api('PATCH', `/v1/programs/${program.id}`, fields);

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
    expect(await countRows(t.store.db)).toEqual(before);
    expect((await t.api('GET', `/v1/programs/${program.id}`)).body.rules_version).toBe(1);
  });
});

describe('bad custom events and segments are refused, naming the field', () => {
  const customer = { external_id: 'someone' };
  const base = { type: 'custom', external_id: 'evt-1', customer, name: 'trial_converted' };
  const rows: [string, Record<string, unknown>, ErrorCode, string][] = [
    ['a custom event without a name', { ...base, name: undefined }, 'missing_field', 'name'],
    ['a name in capitals', { ...base, name: 'Trial' }, 'invalid_format', 'name'],
    ['a name starting with a digit', { ...base, name: '1st_order' }, 'invalid_format', 'name'],
    ['an empty name', { ...base, name: '' }, 'invalid_length', 'name'],
    ['a name too long', { ...base, name: 'a'.repeat(65) }, 'invalid_length', 'name'],
    ['a name as a number', { ...base, name: 7 }, 'invalid_type', 'name'],
    ['a named purchase', { ...base, type: 'purchase', ...usd(100) }, 'invalid_value', 'name'],
    ['a named sign-up', { ...base, type: 'signup' }, 'invalid_value', 'name'],
    ['an amount without currency', { ...base, amount: 100 }, 'missing_field', 'currency'],
    ['a currency without amount', { ...base, currency: 'USD' }, 'missing_field', 'amount'],
    ['a negative amount', { ...base, ...usd(-1) }, 'amount_negative', 'amount'],
    [
      'a purchase reference',
      { ...base, purchase_external_id: 'order-1' },
      'invalid_value',
      'purchase_external_id',
    ],
  ];

  it.each(rows)('POST /v1/events: %s', async (_case, body, code, param) => {
    const before = await countRows(t.store.db);

    const res = await postEvent(body);

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it.each([
    ['POST', 'in capitals', 'VIP', 'invalid_format'],
    ['POST', 'empty', '', 'invalid_length'],
    ['PATCH', 'starting with a dash', '-vip', 'invalid_format'],
    ['PATCH', 'too long', 'a'.repeat(65), 'invalid_length'],
    ['PATCH', 'a number', 5, 'invalid_type'],
  ] as const)('%s /v1/participants: a segment %s', async (method, _case, segment, code) => {
    const { program, referrer } = await programWith({});
    const before = await countRows(t.store.db);

    const res =
      method === 'POST'
        ? await t.api('POST', '/v1/participants', {
            program_id: program.id,
            external_id: unique('p'),
            segment,
          })
        : await t.api('PATCH', `/v1/participants/${referrer.id}`, { segment });

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param: 'segment' });
    expect(await countRows(t.store.db)).toEqual(before);
  });
});
