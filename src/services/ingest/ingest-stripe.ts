import type Stripe from 'stripe';
import type { InTransaction } from '../../store/executor.ts';
import { findEventByExternalId, refundsOf, sumRefundsOf } from '../../store/repositories/events.ts';
import type { Actor } from '../audit.ts';
import type { Screening } from '../fraud/screening.ts';
import { ingestPayment, type Payment } from './ingest-payment.ts';
import { type EventRow, recordEvent } from './record-event.ts';
import {
  type Charge,
  type CheckoutSession,
  chargePurchaseId,
  type Dispute,
  disputedPurchaseId,
  type Invoice,
  idOf,
  invoiceEmail,
  invoiceMetadata,
  invoicePurchaseId,
  paidByInvoice,
  referralOf,
  sessionEmail,
} from './stripe-objects.ts';
import { withdrawRefund } from './withdraw-refund.ts';

export const STRIPE: Actor = 'integration:stripe';

const time = (seconds: number) => new Date(seconds * 1000).toISOString();

function paymentOf(event: Stripe.Event): Payment | null {
  const occurredAt = time(event.created);
  if (event.type === 'checkout.session.completed') {
    const session = event.data.object as unknown as CheckoutSession;
    if (session.payment_status === 'unpaid' || !session.currency) return null;
    const email = sessionEmail(session);
    const yours = session.client_reference_id || null;
    const sourceCustomer = idOf(session.customer) || yours;
    if (!sourceCustomer && !email) return null;
    return {
      customer: yours,
      sourceCustomer,
      email,
      purchaseId: paidByInvoice(session) ? null : (idOf(session.payment_intent) ?? session.id),
      amount: session.amount_total ?? 0,
      currency: session.currency.toUpperCase(),
      referral: referralOf(session.metadata, session),
      occurredAt,
      signedUpAt: session.created ? time(Math.min(session.created, event.created)) : undefined,
    };
  }
  if (event.type === 'invoice.paid') {
    const invoice = event.data.object as unknown as Invoice;
    const customer = idOf(invoice.customer);
    // A trial's invoice pays nothing: it is not a purchase.
    if (!customer || !invoice.currency || !invoice.amount_paid) return null;
    return {
      customer: null,
      sourceCustomer: customer,
      email: invoiceEmail(invoice),
      purchaseId: invoicePurchaseId(invoice),
      amount: invoice.amount_paid,
      currency: invoice.currency.toUpperCase(),
      referral: referralOf(invoiceMetadata(invoice), invoice),
      occurredAt,
      signedUpAt: invoice.created ? time(Math.min(invoice.created, event.created)) : undefined,
    };
  }
  return null;
}

export type StripeOutcome =
  | { outcome: 'recorded'; events: EventRow[] }
  | { outcome: 'ignored'; reason: 'event_type' | 'not_a_payment' | 'nothing_new' | 'dispute_not_won' };

/**
 * Turns one verified Stripe event into Vouch events. A payment is a sign-up (so a referral code in
 * its metadata or promotion code makes the referral, once per customer) and a purchase; a refund
 * is the part of `amount_refunded` not recorded yet, a chargeback its disputed amount, and a
 * chargeback the merchant won gives back what it took. Every Vouch event's external id derives
 * from Stripe's ids, so replays and out-of-order deliveries change nothing twice.
 */
export async function ingestStripeEvent(
  db: InTransaction,
  event: Stripe.Event,
  now: Date,
  screening: Screening,
): Promise<StripeOutcome> {
  if (event.type === 'charge.refunded') {
    const charge = event.data.object as unknown as Charge;
    const total = charge.amount_refunded ?? 0;
    const purchaseId = chargePurchaseId(charge);
    // amount_refunded is cumulative, and counts refunds only (not chargebacks): the part of it not
    // recorded yet is new, and a late, smaller total adds nothing.
    const prefix = `stripe:${charge.id}:refunded:`;
    const refunded = (await refundsOf(db, purchaseId))
      .filter((r) => r.external_id.startsWith(prefix))
      .reduce((sum, r) => sum + (r.amount ?? 0), 0);
    return takeBack(db, event, now, screening, {
      externalId: `${prefix}${total}`,
      purchaseId,
      customer: idOf(charge.customer) ?? `stripe:${charge.id}`,
      amount: total - refunded,
      currency: charge.currency,
    });
  }
  if (event.type === 'charge.dispute.created') {
    // A chargeback takes the money back as a refund does: so do the rewards it earned.
    const dispute = event.data.object as unknown as Dispute;
    const chargeId = idOf(dispute.charge) ?? dispute.id;
    return takeBack(db, event, now, screening, {
      externalId: `stripe:${dispute.id}:disputed`,
      purchaseId: disputedPurchaseId(dispute),
      customer: `stripe:${chargeId}`,
      amount: dispute.amount ?? 0,
      currency: dispute.currency,
    });
  }
  if (event.type === 'charge.dispute.closed') return disputeClosed(db, event, now);
  if (event.type !== 'checkout.session.completed' && event.type !== 'invoice.paid') {
    return { outcome: 'ignored', reason: 'event_type' };
  }
  const payment = paymentOf(event);
  if (!payment) return { outcome: 'ignored', reason: 'not_a_payment' };
  return { outcome: 'recorded', events: await ingestPayment(db, 'stripe', payment, now, STRIPE, screening) };
}

/** A dispute won (`status: won`) gives back what its chargeback took; lost, it took it for good. */
async function disputeClosed(db: InTransaction, event: Stripe.Event, now: Date): Promise<StripeOutcome> {
  const dispute = event.data.object as unknown as Dispute;
  if (dispute.status !== 'won') return { outcome: 'ignored', reason: 'dispute_not_won' };
  const withdrawal = await withdrawRefund(
    db,
    {
      refundExternalId: `stripe:${dispute.id}:disputed`,
      externalId: `stripe:${dispute.id}:won`,
      occurredAt: time(event.created),
    },
    now,
    STRIPE,
  );
  if (withdrawal.outcome === 'nothing_taken') return { outcome: 'ignored', reason: 'nothing_new' };
  return { outcome: 'recorded', events: [withdrawal.event] };
}

/**
 * Money a payment lost after it was made (a refund, a chargeback) as a Vouch refund of its
 * purchase, at most what is not refunded yet: a refund after a chargeback, or the other way round,
 * never refunds more than was paid.
 */
async function takeBack(
  db: InTransaction,
  event: Stripe.Event,
  now: Date,
  screening: Screening,
  loss: {
    externalId: string;
    purchaseId: string;
    customer: string;
    amount: number;
    currency?: string | undefined;
  },
): Promise<StripeOutcome> {
  const purchase = await findEventByExternalId(db, 'purchase', loss.purchaseId);
  const rest = purchase ? (purchase.amount ?? 0) - (await sumRefundsOf(db, loss.purchaseId)) : loss.amount;
  const amount = Math.min(loss.amount, rest);
  if (amount <= 0 || !loss.currency) return { outcome: 'ignored', reason: 'nothing_new' };
  const { event: refund } = await recordEvent(
    db,
    {
      type: 'refund',
      external_id: loss.externalId,
      customer: { external_id: loss.customer },
      amount,
      currency: loss.currency.toUpperCase(),
      purchase_external_id: loss.purchaseId,
      occurred_at: time(event.created),
    },
    now,
    STRIPE,
    screening,
  );
  return { outcome: 'recorded', events: [refund] };
}
