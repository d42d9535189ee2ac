import type { FixedReward, Qualification } from './reward-rules.ts';

/** Decides whether an event qualifies a pending referral under the program's qualification rule. */

export interface PendingReferral {
  status: 'pending' | 'qualified' | 'rejected' | 'expired';
  expiresAt: Date;
  /** When the referee signed up (the sign-up's occurred_at); only read when the rule sets `within_days`. */
  signedUpAt: Date | null;
}

const DAY_MS = 86_400_000;

/** What is known of the event; purchase facts are only gathered when the rule reads them. */
export interface QualifyingEvent {
  type: 'signup' | 'purchase' | 'custom';
  /** A custom event's name; null for the others. */
  name: string | null;
  occurredAt: Date;
  order: FixedReward | null;
  /** Purchases of the referee that meet the minimum order since the referral, this one included. */
  countingPurchases: number;
  /** The referee had bought before the referral was made. */
  boughtBefore: boolean;
}

export type QualificationDecision =
  | { outcome: 'qualify' }
  | { outcome: 'expire'; reason: 'outside_window' | 'outside_qualification_period' }
  | { outcome: 'reject'; reason: 'existing_customer' }
  | {
      outcome: 'wait';
      reason:
        | 'below_minimum_order'
        | 'not_qualifying_purchase'
        | 'not_qualifying_event'
        | 'qualifies_at_signup';
    }
  | { outcome: 'ignored'; reason: 'not_pending' };

/** Whether a purchase counts toward qualification at all (its currency and amount). */
function meetsMinimum(rule: Qualification, order: FixedReward | null): boolean {
  if (!rule.min_order) return true;
  return (
    order !== null && order.currency === rule.min_order.currency && order.amount >= rule.min_order.amount
  );
}

function isQualifyingEvent(rule: Qualification, event: QualifyingEvent): boolean {
  if (rule.event !== event.type) return false;
  return rule.event !== 'custom' || event.name === rule.event_name;
}

/** Day N counts whole: the period ends N × 24 h after the sign-up, to the millisecond. */
function pastPeriod(referral: PendingReferral, rule: Qualification, at: Date): boolean {
  if (rule.within_days === null) return false;
  if (!referral.signedUpAt) throw new Error("within_days needs the referral's signedUpAt");
  return at.getTime() > referral.signedUpAt.getTime() + rule.within_days * DAY_MS;
}

export function decideQualification(
  referral: PendingReferral,
  rule: Qualification,
  event: QualifyingEvent,
): QualificationDecision {
  if (referral.status !== 'pending') return { outcome: 'ignored', reason: 'not_pending' };
  if (event.occurredAt.getTime() > referral.expiresAt.getTime())
    return { outcome: 'expire', reason: 'outside_window' };
  // Any event past the period proves the qualifying one can no longer come in time.
  if (pastPeriod(referral, rule, event.occurredAt))
    return { outcome: 'expire', reason: 'outside_qualification_period' };
  if (rule.event === 'signup' && event.type !== 'signup')
    return { outcome: 'wait', reason: 'qualifies_at_signup' };
  if (!isQualifyingEvent(rule, event)) return { outcome: 'wait', reason: 'not_qualifying_event' };
  if (rule.new_customers_only && event.boughtBefore)
    return { outcome: 'reject', reason: 'existing_customer' };
  if (event.type === 'signup') return { outcome: 'qualify' };
  if (!meetsMinimum(rule, event.order)) return { outcome: 'wait', reason: 'below_minimum_order' };
  if (event.type === 'purchase' && event.countingPurchases < rule.purchase_number)
    return { outcome: 'wait', reason: 'not_qualifying_purchase' };
  return { outcome: 'qualify' };
}
