import Type, { type Static, type TSchema } from 'typebox';

// Stripe's objects as webhooks carry them, reduced to the fields Vouch reads, in both API shapes:
// before 2025-03-31 ("basil") an invoice names its `payment_intent` / `charge` and its
// `subscription_details`; from basil on it has neither: its payments are invoice payments
// (`payments.data[].payment`), and the subscription's metadata is under `parent`. Every field but
// the id is optional; Stripe sends many more, and those pass. node_modules/stripe's types (Invoice,
// InvoicePayment, Charge, Dispute, Checkout.Session) are the reference.

const Maybe = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));
/** An id, or the object expanded. */
const Ref = Maybe(Type.Union([Type.String(), Type.Object({ id: Type.String() })]));
const Metadata = Maybe(Type.Record(Type.String(), Type.String()));
/** A customer id, or the customer expanded (with its email). */
const CustomerRef = Maybe(
  Type.Union([Type.String(), Type.Object({ id: Type.String(), email: Maybe(Type.String()) })]),
);
const Discounts = Maybe(
  Type.Array(
    Type.Union([
      Type.String(),
      Type.Object({
        promotion_code: Maybe(
          Type.Union([Type.String(), Type.Object({ code: Type.Optional(Type.String()) })]),
        ),
      }),
    ]),
  ),
);
const Amount = Type.Optional(Type.Integer());

export const StripeCheckoutSession = Type.Object({
  id: Type.String(),
  /** When the session was made: before its payment, and its invoice's. */
  created: Type.Optional(Type.Integer()),
  mode: Type.Optional(Type.String()),
  client_reference_id: Maybe(Type.String()),
  customer: CustomerRef,
  customer_details: Maybe(Type.Object({ email: Maybe(Type.String()) })),
  customer_email: Maybe(Type.String()),
  payment_intent: Ref,
  /** The first invoice of a session in subscription mode: the purchase is that invoice's. */
  invoice: Ref,
  amount_total: Maybe(Type.Integer()),
  currency: Maybe(Type.String()),
  metadata: Metadata,
  payment_status: Type.Optional(Type.String()),
  discounts: Discounts,
});

const SubscriptionDetails = Maybe(Type.Object({ metadata: Metadata }));

export const StripeInvoice = Type.Object({
  id: Type.String(),
  created: Type.Optional(Type.Integer()),
  customer: CustomerRef,
  customer_email: Maybe(Type.String()),
  amount_paid: Amount,
  currency: Type.Optional(Type.String()),
  metadata: Metadata,
  // Before basil.
  payment_intent: Ref,
  charge: Ref,
  subscription_details: SubscriptionDetails,
  // From basil on.
  payments: Maybe(
    Type.Object({
      data: Maybe(
        Type.Array(
          Type.Object({
            status: Type.Optional(Type.String()),
            payment: Maybe(Type.Object({ payment_intent: Ref, charge: Ref })),
          }),
        ),
      ),
    }),
  ),
  parent: Maybe(Type.Object({ subscription_details: SubscriptionDetails })),
  discounts: Discounts,
});

export const StripeCharge = Type.Object({
  id: Type.String(),
  customer: CustomerRef,
  payment_intent: Ref,
  amount_refunded: Amount,
  currency: Type.Optional(Type.String()),
});

export const StripeDispute = Type.Object({
  id: Type.String(),
  charge: Ref,
  payment_intent: Ref,
  amount: Amount,
  currency: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
});

/** The object each event Vouch reads carries; other event types are answered as ignored. */
export const STRIPE_EVENT_OBJECTS: Readonly<Record<string, TSchema>> = {
  'checkout.session.completed': StripeCheckoutSession,
  'invoice.paid': StripeInvoice,
  'charge.refunded': StripeCharge,
  'charge.dispute.created': StripeDispute,
  'charge.dispute.closed': StripeDispute,
};

export type StripeCheckoutSession = Static<typeof StripeCheckoutSession>;
export type StripeInvoice = Static<typeof StripeInvoice>;
export type StripeCharge = Static<typeof StripeCharge>;
export type StripeDispute = Static<typeof StripeDispute>;
