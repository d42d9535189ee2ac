import Stripe from 'stripe';
import { makeParticipant, makeProgram, unique } from './factories.ts';
import { t } from './ledger-checked-app.ts';

// Stripe events as Stripe sends them, signed by the stripe package's own test helper, for the
// Stripe test files (which run on the ledger-checked app configured with STRIPE_ENV).

export const SECRET = 'whsec_test_vouch_stripe_secret';
export const STRIPE_ENV = { VOUCH_STRIPE_WEBHOOK_SECRET: SECRET };
const stripe = new Stripe('sk_test_unused');

/** Before 2025-03-31 ("basil") an invoice names its payment intent; from it on, its payments do. */
export const LEGACY_API = '2024-06-20';
export const BASIL_API = '2025-03-31.basil';

let created = Math.floor(Date.now() / 1000) - 3600;
export function stripeEvent(type: string, object: Record<string, unknown>, apiVersion = LEGACY_API) {
  return {
    id: unique('evt_stripe'),
    object: 'event',
    type,
    created: created++,
    data: { object },
    api_version: apiVersion,
  };
}

export async function deliver(event: object, secret = SECRET) {
  const payload = JSON.stringify(event);
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
  const raw = await t.app.inject({
    method: 'POST',
    url: '/integrations/stripe/webhook',
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
    payload,
  });
  return { status: raw.statusCode, body: JSON.parse(raw.body) };
}

export async function referrerWithCode(overrides: Record<string, unknown> = {}) {
  const program = await makeProgram(t, {
    rewards: { referrer: { amount: 1000, currency: 'USD' }, referee: { amount: 500, currency: 'USD' } },
    ...overrides,
  });
  return makeParticipant(t, program.id);
}

export const checkout = (overrides: Record<string, unknown> = {}) => ({
  id: unique('cs'),
  object: 'checkout.session',
  client_reference_id: unique('user'),
  customer: unique('cus'),
  customer_details: { email: `${unique('buyer')}@example.com` },
  payment_intent: unique('pi'),
  amount_total: 10_000,
  currency: 'usd',
  payment_status: 'paid',
  metadata: {},
  ...overrides,
});

/** What a payment is refunded and disputed by: its payment intent and its charge. */
export interface Paid {
  payment_intent: string | null;
  customer: string;
  charge?: string;
}

const chargeId = (paid: Paid) => paid.charge ?? `ch_${paid.payment_intent}`;

/** The charge of a payment, as charge.refunded sends it with its running refunded total. */
export const chargeOf = (paid: Paid, refunded: number) => ({
  id: chargeId(paid),
  object: 'charge',
  customer: paid.customer,
  payment_intent: paid.payment_intent,
  amount: 10_000,
  amount_refunded: refunded,
  currency: 'usd',
});

/** A chargeback of a payment, as charge.dispute.created (and .closed, with a status) sends it. */
export const disputeOf = (paid: Paid, amount: number, overrides: Record<string, unknown> = {}) => ({
  id: unique('dp'),
  object: 'dispute',
  charge: chargeId(paid),
  payment_intent: paid.payment_intent,
  amount,
  currency: 'usd',
  reason: 'fraudulent',
  status: 'needs_response',
  ...overrides,
});

/** A subscription's paid invoice in either API shape; `vouch_ref` rides on the subscription's metadata. */
export function subscriptionInvoice(
  shape: 'legacy' | 'basil',
  options: {
    customer: string;
    subscription: string;
    metadata?: Record<string, string>;
    billingReason?: 'subscription_create' | 'subscription_cycle';
    amount?: number;
    /** Paid by a charge made without a payment intent. */
    charge?: string;
  },
) {
  const paymentIntent = options.charge ? null : unique('pi');
  const charge = options.charge ?? `ch_${paymentIntent}`;
  const subscriptionDetails = { metadata: options.metadata ?? {} };
  const common = {
    id: unique('in'),
    object: 'invoice',
    customer: options.customer,
    customer_email: `${options.customer}@example.com`,
    amount_paid: options.amount ?? 10_000,
    currency: 'usd',
    billing_reason: options.billingReason ?? 'subscription_create',
    status: 'paid',
    // Stripe always sends the invoice's own metadata, empty unless you set it.
    metadata: {},
    discounts: [],
  };
  const invoice =
    shape === 'legacy'
      ? {
          ...common,
          subscription: options.subscription,
          subscription_details: subscriptionDetails,
          payment_intent: paymentIntent,
          charge,
        }
      : {
          ...common,
          parent: {
            type: 'subscription_details',
            quote_details: null,
            subscription_details: { subscription: options.subscription, ...subscriptionDetails },
          },
          payments: {
            object: 'list',
            has_more: false,
            data: [
              {
                id: unique('inpay'),
                object: 'invoice_payment',
                amount_paid: options.amount ?? 10_000,
                currency: 'usd',
                status: 'paid',
                is_default: true,
                payment: paymentIntent
                  ? { type: 'payment_intent', payment_intent: paymentIntent }
                  : { type: 'charge', charge },
              },
            ],
          },
        };
  const paid: Paid = { payment_intent: paymentIntent, customer: options.customer, charge };
  const event = stripeEvent('invoice.paid', invoice, shape === 'legacy' ? LEGACY_API : BASIL_API);
  return { invoice, paid, event };
}

/** The rewards of a referrer's (first) referral. */
export async function rewardsOf(referrerId: string) {
  const referral = (await t.api('GET', `/v1/referrals?referrer_id=${referrerId}`)).body.data[0];
  return (await t.api('GET', `/v1/rewards?referral_id=${referral.id}`)).body.data;
}
