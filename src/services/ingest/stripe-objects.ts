import type {
  StripeCharge,
  StripeCheckoutSession,
  StripeDispute,
  StripeInvoice,
} from '../../domain/inputs/stripe.ts';

// Reading Stripe's objects in both API shapes. Their schemas, which the edge checks each object
// against before it reaches a service, are in domain/inputs/stripe.ts.

type Ref = StripeCharge['payment_intent'];
type Metadata = StripeInvoice['metadata'];
type CustomerRef = StripeCharge['customer'];
type Discountable = Pick<CheckoutSession, 'discounts'>;

export type CheckoutSession = StripeCheckoutSession;
export type Invoice = StripeInvoice;
export type Charge = StripeCharge;
export type Dispute = StripeDispute;

export const idOf = (ref: Ref): string | null =>
  ref == null ? null : typeof ref === 'string' ? ref : ref.id;

const emailOfCustomer = (customer: CustomerRef) =>
  customer && typeof customer === 'object' ? (customer.email ?? null) : null;

/**
 * The id a payment's refunds and disputes name: its payment intent, else its charge (a charge
 * made without one). Both refunds and disputes carry the payment intent when there is one.
 */
const paymentIdOf = (payment: { payment_intent?: Ref; charge?: Ref }): string | null =>
  idOf(payment.payment_intent) ?? idOf(payment.charge);

/** The purchase id of a paid invoice: the payment its refunds will name, else the invoice itself. */
export function invoicePurchaseId(invoice: Invoice): string {
  const payments = invoice.payments?.data ?? [];
  // A paid invoice payment first: an open or canceled one did not pay it.
  const ordered = [...payments.filter((p) => p.status === 'paid'), ...payments];
  for (const { payment } of ordered) {
    const id = payment ? paymentIdOf(payment) : null;
    if (id) return id;
  }
  return paymentIdOf(invoice) ?? invoice.id;
}

/**
 * An invoice's metadata with its subscription's (older shape, then basil's) beneath it: Stripe
 * always sends `metadata`, `{}` when unset, so the subscription's must be merged, not fallen back to.
 */
export function invoiceMetadata(invoice: Invoice): Record<string, string> {
  return {
    ...invoice.subscription_details?.metadata,
    ...invoice.parent?.subscription_details?.metadata,
    ...invoice.metadata,
  };
}

export const invoiceEmail = (invoice: Invoice): string | null =>
  invoice.customer_email || emailOfCustomer(invoice.customer);

/** What the buyer typed at checkout, else what the session was created with, else the customer's. */
export const sessionEmail = (session: CheckoutSession): string | null =>
  session.customer_details?.email || session.customer_email || emailOfCustomer(session.customer);

/**
 * A session in subscription mode is paid by its first invoice, which invoice.paid reports as a
 * purchase of its own: the session is only the sign-up, or that payment would count twice.
 */
export const paidByInvoice = (session: CheckoutSession): boolean =>
  session.mode === 'subscription' ||
  (idOf(session.payment_intent) === null && idOf(session.invoice) !== null);

/** A promotion code's text, when Stripe sent it expanded; an id (promo_…) alone says nothing. */
export function promotionCode(object: Discountable): string | undefined {
  for (const discount of object.discounts ?? []) {
    if (typeof discount === 'string') continue;
    const promo = discount.promotion_code;
    if (promo && typeof promo === 'object' && promo.code) return promo.code;
  }
  return undefined;
}

/** The referral a paying customer carries: vouch_ref (and vouch_click) metadata, else a promotion code. */
export function referralOf(metadata: Metadata, object: Discountable) {
  const code = metadata?.vouch_ref || promotionCode(object);
  const clickId = metadata?.vouch_click;
  if (!code && !clickId) return undefined;
  return { ...(code ? { code } : {}), ...(clickId ? { click_id: clickId } : {}) };
}

/** The purchase a dispute is of: its payment intent, else its charge. */
export const disputedPurchaseId = (dispute: Dispute): string => paymentIdOf(dispute) ?? dispute.id;

/** The purchase a refunded charge is of: its payment intent, else the charge itself. */
export const chargePurchaseId = (charge: Charge): string => idOf(charge.payment_intent) ?? charge.id;
