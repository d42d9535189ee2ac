import { normalizeEmail } from '../../domain/identity.ts';
import type { InTransaction } from '../../store/executor.ts';
import { findExternalIdsWithIdentity } from '../../store/repositories/identities.ts';
import type { Actor } from '../audit.ts';
import type { Screening } from '../fraud/screening.ts';
import { emailHash } from '../identity/identity-keys.ts';
import type { ReferralHint } from './gather-touches.ts';
import { type EventRow, recordEvent } from './record-event.ts';

/** A payment a commerce or billing system reported, already matched to a customer. */
export interface Payment {
  /** Your customer id, as your backend sends it to /v1/events, when the source carries it. */
  customer: string | null;
  /**
   * The source's own id for the buyer: used when neither your id nor a known email names them.
   * Null for a guest the source knows only by email (see customerOf).
   */
  sourceCustomer: string | null;
  email: string | null;
  /** The id its refunds will name; null when another event reports the purchase (a subscription's invoice). */
  purchaseId: string | null;
  amount: number;
  currency: string;
  referral: ReferralHint | undefined;
  occurredAt: string;
  /**
   * When the buyer started, if before the payment (a checkout session's creation): the sign-up's
   * time, so a first invoice paid a moment before its session completed still counts after it.
   */
  signedUpAt?: string | undefined;
}

/**
 * A payment becomes a sign-up (which makes the referral its code or click names, once per
 * customer: the sign-up's id is the customer's) and a purchase (which qualifies it). Both ids
 * derive from the source's, so a repeated delivery changes nothing.
 */
export async function ingestPayment(
  db: InTransaction,
  source: 'stripe' | 'shopify',
  payment: Payment,
  now: Date,
  actor: Actor,
  screening: Screening,
): Promise<EventRow[]> {
  const customerId = await customerOf(db, payment, screening);
  const customer = { external_id: customerId, email: payment.email };
  const signup = await recordEvent(
    db,
    {
      type: 'signup',
      external_id: `${source}:${customerId}`,
      customer,
      referral: payment.referral,
      occurred_at: payment.signedUpAt ?? payment.occurredAt,
    },
    now,
    actor,
    screening,
  );
  if (payment.purchaseId === null) return [signup.event];
  const purchase = await recordEvent(
    db,
    {
      type: 'purchase',
      external_id: payment.purchaseId,
      customer,
      amount: payment.amount,
      currency: payment.currency,
      occurred_at: payment.occurredAt,
    },
    now,
    actor,
    screening,
  );
  return [signup.event, purchase.event];
}

/**
 * Who paid: your customer id when the source carries it; else the one customer Vouch already knows
 * by this email (normalised, so aliases match), so a payment through a link that names nobody still
 * qualifies the referral of the person who signed up; else the source's own id; else, for a guest
 * known only by email, `email:` and the keyed hash of the email, so the address itself never
 * becomes an id (ids are exported, logged and sent in webhooks). An email that two of your
 * customers share names neither.
 */
async function customerOf(db: InTransaction, payment: Payment, screening: Screening): Promise<string> {
  if (payment.customer) return payment.customer;
  const email = payment.email ? normalizeEmail(payment.email) : null;
  const hash = email ? emailHash(screening.hash, email) : null;
  if (hash) {
    const known = await findExternalIdsWithIdentity(db, { kind: 'email', hash }, 2);
    if (known.length === 1) return known[0] as string;
  }
  if (payment.sourceCustomer) return payment.sourceCustomer;
  // An address that does not normalise is refused with the sign-up; its hash only names the try.
  return `email:${hash ?? screening.hash(`email:${payment.email}`)}`;
}
