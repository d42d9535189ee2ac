import { describe, expect, it } from 'vitest';
import { unique } from '../../support/factories.ts';
import { t, useLedgerCheckedApp } from '../../support/ledger-checked-app.ts';
import {
  BASIL_API,
  chargeOf,
  checkout,
  deliver,
  disputeOf,
  referrerWithCode,
  rewardsOf,
  STRIPE_ENV,
  stripeEvent,
  subscriptionInvoice,
} from '../../support/stripe-fixtures.ts';

// Stripe Billing: subscription invoices in the API shape before 2025-03-31 ("basil"), where an
// invoice names its payment intent and subscription_details, and in the shape since, where its
// payments are invoice payments and the subscription's metadata is under parent.

useLedgerCheckedApp(STRIPE_ENV);

const SHAPES = ['legacy', 'basil'] as const;

const statuses = (rewards: { status: string }[]) => rewards.map((r) => r.status);

async function referralOf(referrerId: string) {
  return (await t.api('GET', `/v1/referrals?referrer_id=${referrerId}`)).body.data[0];
}

describe.each(SHAPES)('Stripe subscription invoices in the %s shape', (shape) => {
  it("reads vouch_ref from the subscription's metadata though the invoice's own metadata is empty", async () => {
    const referrer = await referrerWithCode();
    const { event } = subscriptionInvoice(shape, {
      customer: unique('cus'),
      subscription: unique('sub'),
      metadata: { vouch_ref: referrer.referral_code },
    });
    const res = await deliver(event);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await referralOf(referrer.id)).toMatchObject({ status: 'qualified', attribution_method: 'code' });
  });

  it('claws back the rewards of an invoice refunded through its payment intent', async () => {
    const referrer = await referrerWithCode();
    const { event, paid } = subscriptionInvoice(shape, {
      customer: unique('cus'),
      subscription: unique('sub'),
      metadata: { vouch_ref: referrer.referral_code },
    });
    await deliver(event);
    const refund = await deliver(stripeEvent('charge.refunded', chargeOf(paid, 10_000), event.api_version));
    expect(refund.body.outcome).toBe('recorded');
    expect(statuses(await rewardsOf(referrer.id))).toEqual(['reversed', 'reversed']);
  });

  it('claws back the rewards of an invoice payment charged back', async () => {
    const referrer = await referrerWithCode();
    const { event, paid } = subscriptionInvoice(shape, {
      customer: unique('cus'),
      subscription: unique('sub'),
      metadata: { vouch_ref: referrer.referral_code },
    });
    await deliver(event);
    await deliver(stripeEvent('charge.dispute.created', disputeOf(paid, 5_000), event.api_version));
    const left = (await rewardsOf(referrer.id)).map(
      (r: { amount: number; reversed_amount: number }) => r.amount - r.reversed_amount,
    );
    expect(left.sort()).toEqual([250, 500]);
  });

  it('counts a renewal invoice as the same customer’s next purchase', async () => {
    const referrer = await referrerWithCode({ qualification: { purchase_number: 2 } });
    const customer = unique('cus');
    const subscription = unique('sub');
    const metadata = { vouch_ref: referrer.referral_code };
    const first = subscriptionInvoice(shape, { customer, subscription, metadata });
    expect((await deliver(first.event)).status).toBe(200);
    const waiting = await referralOf(referrer.id);
    expect(waiting).toMatchObject({ status: 'pending' });

    const renewal = subscriptionInvoice(shape, {
      customer,
      subscription,
      metadata,
      billingReason: 'subscription_cycle',
    });
    const res = await deliver(renewal.event);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const referral = await referralOf(referrer.id);
    expect(referral).toMatchObject({ id: waiting.id, status: 'qualified' });
    expect(referral.referee_id).toBe(waiting.referee_id);
  });
});

describe('Stripe payments under qualification rules', () => {
  it('qualifies a new customer by the invoice that made them one, under new_customers_only', async () => {
    const referrer = await referrerWithCode({ qualification: { new_customers_only: true } });
    const { event } = subscriptionInvoice('basil', {
      customer: unique('cus'),
      subscription: unique('sub'),
      metadata: { vouch_ref: referrer.referral_code },
    });
    await deliver(event);
    expect(await referralOf(referrer.id)).toMatchObject({ status: 'qualified' });
  });
});

describe('Stripe invoices paid without a payment intent', () => {
  it.each(SHAPES)(
    'keys a %s invoice paid by a charge alone by that charge, so its refund finds it',
    async (shape) => {
      const referrer = await referrerWithCode();
      const { event, paid } = subscriptionInvoice(shape, {
        customer: unique('cus'),
        subscription: unique('sub'),
        metadata: { vouch_ref: referrer.referral_code },
        charge: unique('ch'),
      });
      await deliver(event);
      await deliver(stripeEvent('charge.refunded', chargeOf(paid, 10_000), event.api_version));
      expect(statuses(await rewardsOf(referrer.id))).toEqual(['reversed', 'reversed']);
    },
  );
});

describe('Stripe Checkout in subscription mode', () => {
  it('is a sign-up whose first invoice is the one purchase, so the renewal is purchase number 2', async () => {
    const referrer = await referrerWithCode({ qualification: { purchase_number: 2 } });
    const customer = unique('cus');
    const subscription = unique('sub');
    // Stripe pays the first invoice before it completes the session that it created before both.
    const first = subscriptionInvoice('basil', { customer, subscription });
    const session = checkout({
      created: first.event.created - 30,
      mode: 'subscription',
      customer,
      customer_details: { email: first.invoice.customer_email },
      payment_intent: null,
      invoice: first.invoice.id,
      subscription,
      metadata: { vouch_ref: referrer.referral_code },
    });
    await deliver(stripeEvent('checkout.session.completed', session, BASIL_API));
    await deliver(first.event);
    expect(await referralOf(referrer.id)).toMatchObject({ status: 'pending' });

    const renewal = subscriptionInvoice('basil', {
      customer,
      subscription,
      billingReason: 'subscription_cycle',
    });
    await deliver(renewal.event);
    expect(await referralOf(referrer.id)).toMatchObject({ status: 'qualified' });
  });
});
