/**
 * Stripe's objects as webhooks carry them, reduced to the fields Vouch reads, in both API shapes:
 * before 2025-03-31 ("basil") an invoice names its `payment_intent` / `charge` and its
 * `subscription_details`; from basil on it has neither: its payments are invoice payments
 * (`payments.data[].payment`), and the subscription's metadata is under `parent`. Every field is
 * optional and read defensively; node_modules/stripe's types (Invoice, InvoicePayment, Charge,
 * Dispute, Checkout.Session) are the reference.
 */

type Ref = string | { id: string } | null | undefined;
type Metadata = Record<string, string> | null | undefined;
/** A customer id, or the customer expanded (with its email). */
type CustomerRef = string | { id: string; email?: string | null } | null | undefined;

interface Discountable {
  discounts?: (string | { promotion_code?: string | { code?: string } | null })[] | null;
}

export interface CheckoutSession extends Discountable {
  id: string;
  /** When the session was made: before its payment, and its invoice's. */
  created?: number;
  mode?: string;
  client_reference_id?: string | null;
  customer?: CustomerRef;
  customer_details?: { email?: string | null } | null;
  customer_email?: string | null;
  payment_intent?: Ref;
  /** The first invoice of a session in subscription mode: the purchase is that invoice's. */
  invoice?: Ref;
  amount_total?: number | null;
  currency?: string | null;
  metadata?: Metadata;
  payment_status?: string;
}

interface InvoicePayment {
  status?: string;
  payment?: { payment_intent?: Ref; charge?: Ref } | null;
}

export interface Invoice extends Discountable {
  id: string;
  created?: number;
  customer?: CustomerRef;
  customer_email?: string | null;
  amount_paid?: number;
  currency?: string;
  metadata?: Metadata;
  /** Before basil. */
  payment_intent?: Ref;
  charge?: Ref;
  subscription_details?: { metadata?: Metadata } | null;
  /** From basil on. */
  payments?: { data?: InvoicePayment[] | null } | null;
  parent?: { subscription_details?: { metadata?: Metadata } | null } | null;
}

export interface Charge {
  id: string;
  customer?: CustomerRef;
  payment_intent?: Ref;
  amount_refunded?: number;
  currency?: string;
}

export interface Dispute {
  id: string;
  charge?: Ref;
  payment_intent?: Ref;
  amount?: number;
  currency?: string;
  status?: string;
}

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
