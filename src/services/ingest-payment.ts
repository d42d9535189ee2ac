import type { Executor } from '../store/executor.ts';
import type { Actor } from './audit.ts';
import type { ReferralHint } from './gather-touches.ts';
import { type EventRow, recordEvent } from './record-event.ts';
import type { Screening } from './screening.ts';

/** A payment a commerce or billing system reported, already matched to a customer. */
export interface Payment {
  /** Your customer id, as your backend sends it to /v1/events. */
  customer: string;
  email: string | null;
  /** The id its refunds will name. */
  purchaseId: string;
  amount: number;
  currency: string;
  referral: ReferralHint | undefined;
  occurredAt: string;
}

/**
 * A payment becomes a sign-up (which makes the referral its code or click names, once per
 * customer: the sign-up's id is the customer's) and a purchase (which qualifies it). Both ids
 * derive from the source's, so a repeated delivery changes nothing.
 */
export async function ingestPayment(
  db: Executor,
  source: 'stripe' | 'shopify',
  payment: Payment,
  now: Date,
  actor: Actor,
  screening: Screening,
): Promise<EventRow[]> {
  const customer = { external_id: payment.customer, email: payment.email };
  const signup = await recordEvent(
    db,
    {
      type: 'signup',
      external_id: `${source}:${payment.customer}`,
      customer,
      referral: payment.referral,
      occurred_at: payment.occurredAt,
    },
    now,
    actor,
    screening,
  );
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
