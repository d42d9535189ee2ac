import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../support/app.ts';
import { unique } from '../../support/factories.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';
import {
  chargeOf,
  checkout,
  deliver,
  disputeOf,
  referrerWithCode,
  rewardsOf,
  STRIPE_ENV,
  stripeEvent,
} from '../../support/stripe-fixtures.ts';
import { countRows } from '../../support/tables.ts';

useLedgerCheckedApp(STRIPE_ENV);

describe('Stripe ingestion', () => {
  it('turns a paid checkout carrying vouch_ref into a qualified referral with its rewards', async () => {
    const referrer = await referrerWithCode();
    const session = checkout({ metadata: { vouch_ref: referrer.referral_code } });
    const res = await deliver(stripeEvent('checkout.session.completed', session));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ received: true, outcome: 'recorded' });
    expect(res.body.event_ids).toHaveLength(2);
    const referrals = (await t.api('GET', `/v1/referrals?referrer_id=${referrer.id}`)).body.data;
    expect(referrals).toHaveLength(1);
    expect(referrals[0]).toMatchObject({ status: 'qualified', attribution_method: 'code' });
    const rewards = (await t.api('GET', `/v1/rewards?referral_id=${referrals[0].id}`)).body.data;
    expect(rewards.map((r: { amount: number }) => r.amount).sort()).toEqual([1000, 500].sort());
  });

  it('changes nothing when Stripe delivers the same event again', async () => {
    const referrer = await referrerWithCode();
    const event = stripeEvent(
      'checkout.session.completed',
      checkout({ metadata: { vouch_ref: referrer.referral_code } }),
    );
    const first = await deliver(event);
    const before = await countRows(t.store.db);
    const again = await deliver(event);
    expect(again.body.event_ids).toEqual(first.body.event_ids);
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('claws rewards back from refunds, counting amount_refunded once even out of order', async () => {
    const referrer = await referrerWithCode();
    const session = checkout({ metadata: { vouch_ref: referrer.referral_code } });
    await deliver(stripeEvent('checkout.session.completed', session));
    // The later, full refund arrives first; the earlier partial one then adds nothing.
    const full = await deliver(stripeEvent('charge.refunded', chargeOf(session, 10_000)));
    expect(full.body.outcome).toBe('recorded');
    const late = await deliver(stripeEvent('charge.refunded', chargeOf(session, 2_500)));
    expect(late.body).toMatchObject({ outcome: 'ignored', reason: 'nothing_new' });
    const rewards = await rewardsOf(referrer.id);
    expect(rewards.map((r: { status: string }) => r.status)).toEqual(['reversed', 'reversed']);
  });

  it('applies a refund Stripe delivers before its checkout once the checkout arrives', async () => {
    const referrer = await referrerWithCode();
    const session = checkout({ metadata: { vouch_ref: referrer.referral_code } });
    const charge = chargeOf(session, 4_000);
    const early = await deliver(stripeEvent('charge.refunded', charge));
    expect(early.body.outcome).toBe('recorded');
    await deliver(stripeEvent('checkout.session.completed', session));
    const rewards = await rewardsOf(referrer.id);
    const left = rewards.map(
      (r: { amount: number; reversed_amount: number }) => r.amount - r.reversed_amount,
    );
    expect(left.sort()).toEqual([300, 600]);
  });

  it('reverses in proportion to a partial refund', async () => {
    const referrer = await referrerWithCode();
    const session = checkout({ metadata: { vouch_ref: referrer.referral_code } });
    await deliver(stripeEvent('checkout.session.completed', session));
    const charge = chargeOf(session, 5_000);
    await deliver(stripeEvent('charge.refunded', charge));
    const rewards = await rewardsOf(referrer.id);
    expect(
      rewards
        .map((r: { reversed_amount: number }) => r.reversed_amount)
        .sort((a: number, b: number) => a - b),
    ).toEqual([250, 500]);
  });

  it('claws rewards back from a chargeback as from a refund, once however often it is delivered', async () => {
    const referrer = await referrerWithCode();
    const session = checkout({ metadata: { vouch_ref: referrer.referral_code } });
    await deliver(stripeEvent('checkout.session.completed', session));
    const dispute = stripeEvent('charge.dispute.created', disputeOf(session, 10_000));
    expect((await deliver(dispute)).body.outcome).toBe('recorded');
    expect((await deliver(dispute)).body).toMatchObject({ outcome: 'ignored', reason: 'nothing_new' });
    const rewards = await rewardsOf(referrer.id);
    expect(rewards.map((r: { status: string }) => r.status)).toEqual(['reversed', 'reversed']);
  });

  it('refunds after a partial chargeback only what the chargeback left', async () => {
    const referrer = await referrerWithCode();
    const session = checkout({ metadata: { vouch_ref: referrer.referral_code } });
    await deliver(stripeEvent('checkout.session.completed', session));
    await deliver(stripeEvent('charge.dispute.created', disputeOf(session, 4_000)));
    // amount_refunded counts refunds only: 6,000 refunded and 4,000 charged back is the whole order.
    expect((await deliver(stripeEvent('charge.refunded', chargeOf(session, 6_000)))).status).toBe(200);
    const later = await deliver(stripeEvent('charge.refunded', chargeOf(session, 8_000)));
    expect(later.status, JSON.stringify(later.body)).toBe(200);
    expect(later.body).toMatchObject({ outcome: 'ignored', reason: 'nothing_new' });
    const rewards = await rewardsOf(referrer.id);
    expect(rewards.map((r: { status: string }) => r.status)).toEqual(['reversed', 'reversed']);
  });

  it('matches a paid invoice by an expanded promotion code equal to the referral code', async () => {
    const referrer = await referrerWithCode();
    const invoice = {
      id: unique('in'),
      object: 'invoice',
      customer: unique('cus'),
      customer_email: `${unique('sub')}@example.com`,
      amount_paid: 4_900,
      currency: 'usd',
      discounts: [{ promotion_code: { id: 'promo_1', code: referrer.referral_code } }],
    };
    const res = await deliver(stripeEvent('invoice.paid', invoice));
    expect(res.body.outcome).toBe('recorded');
    const referrals = (await t.api('GET', `/v1/referrals?referrer_id=${referrer.id}`)).body.data;
    expect(referrals[0]).toMatchObject({ status: 'qualified' });
  });

  /** A customer who signed up through your backend with a referral code and an email. */
  async function referredSignup(referralCode: string, email: string) {
    const res = await t.api('POST', '/v1/events', {
      type: 'signup',
      external_id: unique('signup'),
      customer: { external_id: unique('user'), email },
      referral: { code: referralCode },
    });
    expect(res.body.result.outcome).toBe('referral_created');
  }

  it('matches a checkout that names no customer of yours to the referred customer with its email', async () => {
    const referrer = await referrerWithCode();
    const email = `${unique('bob')}@example.com`;
    await referredSignup(referrer.referral_code, email);
    // Paid through a payment link: no client_reference_id, no metadata, a new Stripe customer, and
    // the email written another way.
    const session = checkout({ client_reference_id: null, customer_details: { email: email.toUpperCase() } });
    const res = await deliver(stripeEvent('checkout.session.completed', session));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const referral = (await t.api('GET', `/v1/referrals?referrer_id=${referrer.id}`)).body.data[0];
    expect(referral).toMatchObject({ status: 'qualified' });

    // The refund names the payment, so it reaches the same customer's rewards.
    await deliver(stripeEvent('charge.refunded', chargeOf(session, 10_000)));
    const rewards = await rewardsOf(referrer.id);
    expect(rewards.map((r: { status: string }) => r.status)).toEqual(['reversed', 'reversed']);
  });

  it('knows a guest checkout by a keyed hash of its email, never by the address', async () => {
    const referrer = await referrerWithCode();
    const local = unique('guest').replace(/_/g, '');
    const guest = { client_reference_id: null, customer: null };
    const first = checkout({
      ...guest,
      customer_details: { email: `${local}@example.com` },
      metadata: { vouch_ref: referrer.referral_code },
    });
    expect((await deliver(stripeEvent('checkout.session.completed', first))).status).toBe(200);
    // The same guest again, the address written another way: the same customer, no second referral.
    const again = checkout({ ...guest, customer_details: { email: ` ${local.toUpperCase()}@Example.com` } });
    expect((await deliver(stripeEvent('checkout.session.completed', again))).status).toBe(200);

    const referrals = (await t.api('GET', `/v1/referrals?referrer_id=${referrer.id}`)).body.data;
    expect(referrals).toHaveLength(1);
    expect(referrals[0]).toMatchObject({ status: 'qualified' });
    const ids = await t.store.db
      .selectFrom('events')
      .select(['external_id', 'customer_external_id'])
      .where('customer_external_id', 'like', 'email:%')
      .execute();
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const customers = new Set(ids.map((row) => row.customer_external_id));
    expect(customers.size).toBe(1);
    expect(JSON.stringify(ids).toLowerCase()).not.toContain(local);
    const referee = await t.api('GET', `/v1/participants/${referrals[0].referee_id}`);
    expect(referee.body.external_id).toMatch(/^email:/);
    expect(referee.body.external_id.toLowerCase()).not.toContain(local);
  });

  it('matches no one by an email two of your customers share', async () => {
    const referrer = await referrerWithCode();
    const email = `${unique('shared')}@example.com`;
    await referredSignup(referrer.referral_code, email);
    // Another customer of the same program, with the same address.
    await t.api('POST', '/v1/events', {
      type: 'signup',
      external_id: unique('signup'),
      program_id: referrer.program_id,
      customer: { external_id: unique('user'), email },
    });
    const session = checkout({ client_reference_id: null, customer_details: { email } });
    expect((await deliver(stripeEvent('checkout.session.completed', session))).status).toBe(200);
    const referral = (await t.api('GET', `/v1/referrals?referrer_id=${referrer.id}`)).body.data[0];
    expect(referral).toMatchObject({ status: 'pending' });
  });

  it('ignores what is not a payment: other event types, unpaid sessions, free trial invoices', async () => {
    expect((await deliver(stripeEvent('customer.created', { id: unique('cus') }))).body).toMatchObject({
      outcome: 'ignored',
      reason: 'event_type',
    });
    expect(
      (await deliver(stripeEvent('checkout.session.completed', checkout({ payment_status: 'unpaid' })))).body,
    ).toMatchObject({ outcome: 'ignored', reason: 'not_a_payment' });
    const trial = {
      id: unique('in'),
      object: 'invoice',
      customer: unique('cus'),
      amount_paid: 0,
      currency: 'usd',
    };
    expect((await deliver(stripeEvent('invoice.paid', trial))).body).toMatchObject({
      outcome: 'ignored',
      reason: 'not_a_payment',
    });
  });

  it('refuses an event whose signature does not verify, and writes nothing', async () => {
    const before = await countRows(t.store.db);
    const res = await deliver(stripeEvent('checkout.session.completed', checkout()), 'whsec_someone_else');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_signature', param: 'stripe-signature' });
    const unsigned = await t.app.inject({
      method: 'POST',
      url: '/integrations/stripe/webhook',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(unsigned.statusCode).toBe(400);
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it.each([
    [
      'a total that is text',
      'checkout.session.completed',
      { amount_total: '10000' },
      'data.object.amount_total',
    ],
    [
      'metadata that is not text',
      'checkout.session.completed',
      { metadata: { vouch_ref: 7 } },
      'data.object.metadata.vouch_ref',
    ],
    [
      'a refunded amount with cents as a fraction',
      'charge.refunded',
      { amount_refunded: 25.5 },
      'data.object.amount_refunded',
    ],
    ['an object without its id', 'charge.dispute.created', { id: undefined }, 'data.object.id'],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_, type, change, param) => {
    const session = checkout();
    const object =
      type === 'charge.refunded'
        ? chargeOf(session, 100)
        : type === 'charge.dispute.created'
          ? disputeOf(session, 100)
          : session;
    const before = await countRows(t.store.db);
    const res = await deliver(stripeEvent(type, { ...object, ...change }));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.param).toBe(param);
    expect(await countRows(t.store.db)).toEqual(before);
  });

  it('has no Stripe endpoint when no signing secret is configured', async () => {
    const plain = await createTestApp();
    try {
      const res = await plain.app.inject({
        method: 'POST',
        url: '/integrations/stripe/webhook',
        payload: {},
      });
      expect(res.statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
