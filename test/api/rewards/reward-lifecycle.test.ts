import { describe, expect, it } from 'vitest';
import { approveAllDue } from '../../../src/worker/reward-maturation.ts';
import { event, makeParticipant, makeProgram, unique } from '../../support/factories.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';
import { countRows } from '../../support/tables.ts';

const DAY_MS = 86_400_000;
const T = new Date('2031-06-01T12:00:00.000Z');
const daysAfter = (days: number) => new Date(T.getTime() + days * DAY_MS);

// Whatever a test did, the ledger's invariants hold after it.
useLedgerCheckedApp();

const usd = (amount: number) => ({ amount, currency: 'USD' });
const rewardsUsd = { referrer: usd(1000), referee: usd(500) };

async function balanceOf(participantId: string) {
  const { balances } = (await t.api('GET', `/v1/participants/${participantId}`)).body;
  return balances.find((b: { currency: string }) => b.currency === 'USD') ?? null;
}

const money = (pending: number, available: number, processing = 0, paid = 0) => ({
  currency: 'USD',
  pending,
  available,
  processing,
  paid,
});

/** A referrer, a friend referred by them, and the friend's qualifying order (at T). */
async function qualifiedOrder(programOverrides: Record<string, unknown> = {}, amount = 10_000) {
  t.setNow(T);
  const program = await makeProgram(t, { rewards: rewardsUsd, ...programOverrides });
  const referrer = await makeParticipant(t, program.id);
  const friend = unique('friend');
  const signup = await t.api(
    'POST',
    '/v1/events',
    event('signup', friend, { referral: { code: referrer.referral_code } }),
  );
  const order = unique('order');
  const res = await t.api('POST', '/v1/events', {
    ...event('purchase', friend, { amount, currency: 'USD' }),
    external_id: order,
  });
  expect(res.body.result.outcome).toBe('referral_qualified');
  const rewards = await rewardsOf(res.body.result.referral_ids[0]);
  const referral = (await t.api('GET', `/v1/referrals/${signup.body.result.referral_ids[0]}`)).body;
  return {
    program,
    referrer,
    friend,
    refereeId: referral.referee_id as string,
    order,
    purchase: res.body,
    rewards,
  };
}

async function rewardsOf(referralId: string) {
  const { data } = (await t.api('GET', `/v1/rewards?referral_id=${referralId}`)).body;
  const bySide = Object.fromEntries(data.map((r: { side: string }) => [r.side, r]));
  return { referrer: bySide.referrer, referee: bySide.referee };
}

const reward = async (id: string) => (await t.api('GET', `/v1/rewards/${id}`)).body;

const refund = (customer: string, order: string, amount: number, extra: Record<string, unknown> = {}) =>
  t.api(
    'POST',
    '/v1/events',
    event('refund', customer, { amount, currency: 'USD', purchase_external_id: order, ...extra }),
  );

describe('hold and approval', () => {
  it("holds a new reward for the program's hold period, counted from the purchase", async () => {
    const { rewards, referrer } = await qualifiedOrder({ reward_hold_days: 14 });

    expect(rewards.referrer).toMatchObject({
      status: 'pending',
      amount: 1000,
      reversed_amount: 0,
      available_at: daysAfter(14).toISOString(),
      approved_at: null,
      payout_id: null,
    });
    expect(await balanceOf(referrer.id)).toEqual(money(1000, 0));
  });

  it('holds rewards 30 days unless the program says otherwise', async () => {
    const { program, rewards } = await qualifiedOrder();

    expect(rewards.referee.available_at).toBe(daysAfter(30).toISOString());
    expect((await t.api('GET', `/v1/programs/${program.id}`)).body.reward_hold_days).toBe(30);
  });

  it('approves rewards whose hold has ended, and only those', async () => {
    const { rewards, referrer } = await qualifiedOrder({ reward_hold_days: 7 });

    await approveAllDue(t.store, daysAfter(6.9));
    expect((await reward(rewards.referrer.id)).status).toBe('pending');

    await approveAllDue(t.store, daysAfter(7));
    expect(await reward(rewards.referrer.id)).toMatchObject({
      status: 'approved',
      approved_at: daysAfter(7).toISOString(),
    });
    expect(await balanceOf(referrer.id)).toEqual(money(0, 1000));
    expect(await approveAllDue(t.store, daysAfter(8))).toBe(0);
  });

  it('lets an admin approve a held reward early, once', async () => {
    const { rewards, referrer } = await qualifiedOrder();

    const res = await t.api('POST', `/v1/rewards/${rewards.referrer.id}/approve`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: rewards.referrer.id, status: 'approved' });
    expect(await balanceOf(referrer.id)).toEqual(money(0, 1000));

    const again = await t.api('POST', `/v1/rewards/${rewards.referrer.id}/approve`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ type: 'conflict', code: 'reward_not_pending' });
    expect(await balanceOf(referrer.id)).toEqual(money(0, 1000));
  });

  it('answers 404 for a reward that does not exist', async () => {
    for (const res of [
      await t.api('GET', '/v1/rewards/rwd_missing'),
      await t.api('POST', '/v1/rewards/rwd_missing/approve'),
      await t.api('POST', '/v1/rewards/rwd_missing/reverse', { reason: 'fraud' }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('resource_missing');
    }
  });
});

describe('clawback on refunds', () => {
  it('reverses both rewards pro rata to a partial refund, from the pending balance', async () => {
    const { friend, order, rewards, referrer, refereeId } = await qualifiedOrder();

    const res = await refund(friend, order, 2500);

    expect(res.status).toBe(201);
    expect(res.body.result).toMatchObject({
      outcome: 'rewards_reversed',
      reward_ids: [rewards.referrer.id, rewards.referee.id].sort(),
    });
    expect(await reward(rewards.referrer.id)).toMatchObject({
      status: 'pending',
      reversed_amount: 250,
      reversal_reason: 'refund',
    });
    expect(await reward(rewards.referee.id)).toMatchObject({ status: 'pending', reversed_amount: 125 });
    expect(await balanceOf(referrer.id)).toEqual(money(750, 0));
    expect(await balanceOf(refereeId)).toEqual(money(375, 0));
  });

  it('reverses the whole reward once partial refunds add up to the order', async () => {
    const { friend, order, rewards, referrer } = await qualifiedOrder({}, 9_999);

    for (const part of [3_333, 3_333, 3_333]) expect((await refund(friend, order, part)).status).toBe(201);

    expect(await reward(rewards.referrer.id)).toMatchObject({ status: 'reversed', reversed_amount: 1000 });
    expect(await reward(rewards.referee.id)).toMatchObject({ status: 'reversed', reversed_amount: 500 });
    expect(await balanceOf(referrer.id)).toEqual(money(0, 0));
  });

  it('takes an approved reward back from the available balance', async () => {
    const { friend, order, rewards, referrer } = await qualifiedOrder();
    await t.api('POST', `/v1/rewards/${rewards.referrer.id}/approve`);

    await refund(friend, order, 10_000);

    expect(await reward(rewards.referrer.id)).toMatchObject({ status: 'reversed', reversed_amount: 1000 });
    expect(await balanceOf(referrer.id)).toEqual(money(0, 0));
  });

  it('changes nothing when the same refund is sent twice', async () => {
    const { friend, order, rewards, referrer } = await qualifiedOrder();
    const body = event('refund', friend, { amount: 5000, currency: 'USD', purchase_external_id: order });

    const first = await t.api('POST', '/v1/events', body);
    const again = await t.api('POST', '/v1/events', body);

    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
    expect((await reward(rewards.referrer.id)).reversed_amount).toBe(500);
    expect(await balanceOf(referrer.id)).toEqual(money(500, 0));
  });

  it('refuses refunds past the order amount or in another currency, and writes nothing', async () => {
    const { friend, order } = await qualifiedOrder();
    await refund(friend, order, 6000);
    const before = await countRows(t.store.db);

    const tooMuch = await refund(friend, order, 4001);
    const otherCurrency = await refund(friend, order, 100, { currency: 'EUR' });

    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error).toMatchObject({ code: 'refund_exceeds_purchase', param: 'amount' });
    expect(otherCurrency.status).toBe(422);
    expect(otherCurrency.body.error).toMatchObject({ code: 'currency_mismatch', param: 'currency' });
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('records a refund of a purchase that earned nothing, reversing nothing', async () => {
    const customer = unique('customer');
    const order = unique('order');
    await t.api('POST', '/v1/events', { ...event('purchase', customer, usd(3000)), external_id: order });

    const res = await refund(customer, order, 3000);

    expect(res.status).toBe(201);
    expect(res.body.result).toMatchObject({ outcome: 'recorded', reason: 'nothing_to_reverse' });
    expect(res.body.purchase_external_id).toBe(order);
  });

  it('leaves a negative balance when a paid reward is clawed back, and later rewards offset it', async () => {
    const { program, friend, order, rewards, referrer } = await qualifiedOrder({ reward_hold_days: 0 });
    await approveAllDue(t.store, T);
    const payout = await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' });
    await t.api('POST', `/v1/payouts/${payout.body.id}/confirm`);
    expect(await reward(rewards.referrer.id)).toMatchObject({ status: 'issued', payout_id: payout.body.id });

    await refund(friend, order, 10_000);

    expect(await reward(rewards.referrer.id)).toMatchObject({ status: 'reversed', reversed_amount: 1000 });
    expect(await balanceOf(referrer.id)).toEqual(money(0, -1000, 0, 1000));

    // The referrer's next two referrals: the first only pays back the debt.
    for (let i = 0; i < 2; i++) {
      const next = unique('friend');
      await t.api(
        'POST',
        '/v1/events',
        event('signup', next, { referral: { code: referrer.referral_code } }),
      );
      await t.api('POST', '/v1/events', event('purchase', next, usd(10_000)));
    }
    await approveAllDue(t.store, T);
    expect(await balanceOf(referrer.id)).toEqual(money(0, 1000, 0, 1000));
  });
});

describe('reversal by an admin', () => {
  it('claws back part of a reward, then the rest', async () => {
    const { rewards, referrer } = await qualifiedOrder();
    const path = `/v1/rewards/${rewards.referrer.id}/reverse`;

    const part = await t.api('POST', path, { amount: 300, reason: 'fraud' });
    expect(part.status).toBe(200);
    expect(part.body).toMatchObject({ status: 'pending', reversed_amount: 300, reversal_reason: 'fraud' });

    const rest = await t.api('POST', path, { reason: 'duplicate' });
    expect(rest.body).toMatchObject({
      status: 'reversed',
      reversed_amount: 1000,
      reversal_reason: 'duplicate',
    });
    expect(await balanceOf(referrer.id)).toEqual(money(0, 0));
  });

  it.each([
    [{ amount: 1001, reason: 'fraud' }, 422, 'amount_exceeds_reward', 'amount'],
    [{ amount: 0, reason: 'fraud' }, 400, 'value_too_small', 'amount'],
    [{ amount: -5, reason: 'fraud' }, 400, 'value_too_small', 'amount'],
    [{ amount: 1.5, reason: 'fraud' }, 400, 'amount_not_integer', 'amount'],
    [{ reason: 'refund' }, 400, 'invalid_value', 'reason'],
    [{}, 400, 'missing_field', 'reason'],
  ])('refuses %j with %i %s, and writes nothing', async (body, status, code, param) => {
    const { rewards } = await qualifiedOrder();
    const before = await countRows(t.store.db);

    const res = await t.api('POST', `/v1/rewards/${rewards.referrer.id}/reverse`, body);

    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ code, param });
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('answers 409 for a reward already reversed', async () => {
    const { rewards } = await qualifiedOrder();
    await t.api('POST', `/v1/rewards/${rewards.referrer.id}/reverse`, { reason: 'fraud' });

    const res = await t.api('POST', `/v1/rewards/${rewards.referrer.id}/reverse`, { reason: 'fraud' });

    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('reward_already_reversed');
  });
});

describe('payouts', () => {
  /** A program whose referrers have earned `earned` each, all approved. */
  async function approvedReferrers(earned: number[], overrides: Record<string, unknown> = {}) {
    t.setNow(T);
    const program = await makeProgram(t, {
      rewards: { referrer: usd(1), referee: null },
      reward_hold_days: 0,
      ...overrides,
    });
    const referrers = [];
    for (const amount of earned) {
      const referrer = await makeParticipant(t, program.id, { email: `${unique('r')}@example.com` });
      await t.api('PATCH', `/v1/programs/${program.id}`, {
        rewards: { referrer: usd(amount), referee: null },
      });
      const friend = unique('friend');
      await t.api(
        'POST',
        '/v1/events',
        event('signup', friend, { referral: { code: referrer.referral_code } }),
      );
      await t.api('POST', '/v1/events', event('purchase', friend, usd(5000)));
      referrers.push(referrer);
    }
    await approveAllDue(t.store, T);
    return { program, referrers };
  }

  it('pays every available balance that reaches the minimum, holding it as processing until confirmed', async () => {
    const { program, referrers } = await approvedReferrers([6000, 4999, 5000], {
      payout_minimums: { USD: 5000 },
    });
    const [rich, poor, exact] = referrers.map((r) => r.id) as [string, string, string];

    const res = await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      object: 'payout',
      program_id: program.id,
      status: 'pending',
      amount: 11_000,
      item_count: 2,
      settled_at: null,
    });
    expect(await balanceOf(rich)).toEqual(money(0, 0, 6000));
    expect(await balanceOf(poor)).toEqual(money(0, 4999));

    const confirmed = await t.api('POST', `/v1/payouts/${res.body.id}/confirm`);
    expect(confirmed.body).toMatchObject({ status: 'paid', settled_at: T.toISOString() });
    expect(await balanceOf(exact)).toEqual(money(0, 0, 0, 5000));
    const { data } = (await t.api('GET', `/v1/rewards?participant_id=${rich}`)).body;
    expect(data).toEqual([expect.objectContaining({ status: 'issued', payout_id: res.body.id })]);
  });

  it('exports a run as CSV with decimal amounts, escaping formula-like cells', async () => {
    const { program, referrers } = await approvedReferrers([1234]);
    await t.api('PATCH', `/v1/participants/${referrers[0]?.id}`, { name: '=HYPERLINK("x")' });
    const payout = await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' });

    const res = await t.app.inject({
      url: `/v1/payouts/${payout.body.id}/items.csv`,
      headers: { authorization: `Bearer ${t.key}` },
    });

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const [header, line, end] = res.body.split('\n');
    expect(header).toBe('email,amount,currency,reference,participant_id,external_id,name');
    expect(line).toMatch(
      /^r-[^,]+@example\.com,12\.34,USD,pyi_\w+,par_\w+,user-[^,]+,"'=HYPERLINK\(""x""\)"$/,
    );
    expect(end).toBe('');
  });

  it('returns a canceled run to the available balances, and pays them in the next', async () => {
    const { program, referrers } = await approvedReferrers([700]);
    const first = await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' });

    const canceled = await t.api('POST', `/v1/payouts/${first.body.id}/cancel`);
    expect(canceled.body.status).toBe('canceled');
    expect(await balanceOf(referrers[0]?.id as string)).toEqual(money(0, 700));

    const second = await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' });
    expect(second.status).toBe(201);
    expect(second.body.amount).toBe(700);
  });

  it('keeps one open run per program and currency', async () => {
    const { program } = await approvedReferrers([700]);
    await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' });

    const res = await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' });

    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('payout_in_progress');
  });

  it('answers 409 when settling a run twice', async () => {
    const { program } = await approvedReferrers([700]);
    const { body } = await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' });
    await t.api('POST', `/v1/payouts/${body.id}/confirm`);

    for (const action of ['confirm', 'cancel']) {
      const res = await t.api('POST', `/v1/payouts/${body.id}/${action}`);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({
        code: 'payout_not_pending',
        message: `Payout '${body.id}' is already paid.`,
      });
    }
  });

  it.each([
    ['nothing reaches the minimum', { currency: 'USD' }, 422, 'nothing_to_pay', 'currency'],
    ['an unknown currency', { currency: 'XYZ' }, 400, 'unknown_currency', 'currency'],
    [
      'an unknown program',
      { program_id: 'prg_missing', currency: 'USD' },
      404,
      'resource_missing',
      'program_id',
    ],
  ])('refuses a run when %s', async (_what, body, status, code, param) => {
    const { program } = await approvedReferrers([100], { payout_minimums: { USD: 101 } });
    const before = await countRows(t.store.db);

    const res = await t.api('POST', '/v1/payouts', { program_id: program.id, ...body });

    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ code, param });
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('refuses a payout minimum that is not an amount of a known currency', async () => {
    const res = await t.api('POST', '/v1/programs', {
      name: 'Bad minimum',
      landing_url: 'https://example.com/',
      rewards: rewardsUsd,
      payout_minimums: { XYZ: 100 },
    });

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'unknown_currency', param: 'payout_minimums.XYZ' });
  });
});

describe('audit log', () => {
  const auditOf = async (subjectId: string) =>
    (await t.api('GET', `/v1/audit_log?subject_id=${subjectId}`)).body.data.map(
      (e: { actor: string; action: string; details: unknown }) => ({
        actor: e.actor,
        action: e.action,
        details: e.details,
      }),
    );

  it('records who approved, reversed and paid out, newest first', async () => {
    const { program, friend, order, rewards } = await qualifiedOrder({ reward_hold_days: 0 });
    const keyId = (await t.store.db.selectFrom('api_keys').select('id').executeTakeFirstOrThrow()).id;
    await t.api('POST', `/v1/rewards/${rewards.referrer.id}/approve`);
    await approveAllDue(t.store, T);
    await refund(friend, order, 5000);
    const payout = (await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' })).body;
    await t.api('POST', `/v1/payouts/${payout.id}/cancel`);

    expect(await auditOf(rewards.referrer.id)).toEqual([
      {
        actor: keyId,
        action: 'reward.reversed',
        details: expect.objectContaining({ amount: 500, reason: 'refund', currency: 'USD' }),
      },
      { actor: keyId, action: 'reward.approved', details: { amount: 1000 } },
      {
        actor: keyId,
        action: 'reward.created',
        details: {
          referral_id: rewards.referrer.referral_id,
          side: 'referrer',
          kind: 'cash',
          amount: 1000,
          currency: 'USD',
        },
      },
    ]);
    expect((await auditOf(rewards.referee.id))[1]).toEqual({
      actor: 'system:reward-maturation',
      action: 'reward.approved',
      details: { amount: 500 },
    });
    expect(await auditOf(payout.id)).toEqual([
      { actor: keyId, action: 'payout.canceled', details: { amount: 750 } },
      {
        actor: keyId,
        action: 'payout.created',
        details: { program_id: program.id, amount: 750, currency: 'USD', item_count: 2 },
      },
    ]);
  });

  it('records the issue of each reward a confirmed payout run paid', async () => {
    const { program, rewards } = await qualifiedOrder({ reward_hold_days: 0 });
    await approveAllDue(t.store, T);
    const payout = (await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' })).body;
    await t.api('POST', `/v1/payouts/${payout.id}/confirm`);
    for (const reward of [rewards.referrer, rewards.referee]) {
      expect((await auditOf(reward.id))[0]).toMatchObject({
        action: 'reward.issued',
        details: { payout_id: payout.id },
      });
    }
  });

  it('records program changes with the rules version they made', async () => {
    const program = await makeProgram(t);
    await t.api('PATCH', `/v1/programs/${program.id}`, { name: 'Renamed' });
    await t.api('PATCH', `/v1/programs/${program.id}`, { caps: { referrer_lifetime: { count: 5 } } });

    expect(
      (await auditOf(program.id)).map((e: { action: string; details: unknown }) => [e.action, e.details]),
    ).toEqual([
      ['program.updated', { fields: ['caps'], rules_version: 2 }],
      ['program.updated', { fields: ['name'], rules_version: 1 }],
      ['program.created', { rules_version: 1 }],
    ]);
  });
});

describe('tax report', () => {
  it("totals each participant's confirmed payouts in a year and flags those past the threshold", async () => {
    const { program, referrer, refereeId, rewards } = await qualifiedOrder({
      reward_hold_days: 0,
      tax_reporting_thresholds: { USD: 1000 },
    });
    await approveAllDue(t.store, T);
    const payout = (await t.api('POST', '/v1/payouts', { program_id: program.id, currency: 'USD' })).body;
    await t.api('POST', `/v1/payouts/${payout.id}/confirm`);
    expect(rewards.referrer.amount).toBe(1000);

    const report = await t.api('GET', `/v1/programs/${program.id}/tax_report?year=2031`);
    const nextYear = await t.api('GET', `/v1/programs/${program.id}/tax_report?year=2032`);

    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ object: 'tax_report', program_id: program.id, year: 2031 });
    const lines = Object.fromEntries(
      report.body.lines.map((l: { participant_id: string }) => [l.participant_id, l]),
    );
    expect(lines[referrer.id]).toMatchObject({
      currency: 'USD',
      paid: 1000,
      threshold: 1000,
      reportable: true,
    });
    expect(lines[refereeId]).toMatchObject({
      currency: 'USD',
      paid: 500,
      threshold: 1000,
      reportable: false,
    });
    expect(nextYear.body.lines).toEqual([]);
  });

  it('answers 400 for a year out of range and 404 for an unknown program', async () => {
    const program = await makeProgram(t);

    expect((await t.api('GET', `/v1/programs/${program.id}/tax_report?year=1999`)).body.error).toMatchObject({
      code: 'value_too_small',
      param: 'year',
    });
    expect((await t.api('GET', '/v1/programs/prg_missing/tax_report?year=2030')).status).toBe(404);
  });
});
