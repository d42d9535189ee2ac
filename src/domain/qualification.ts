import type { FixedReward, Qualification } from './reward-rules.ts';

/** Decides whether an event qualifies a pending referral under the program's qualification rule. */

export interface PendingReferral {
  status: 'pending' | 'qualified' | 'rejected' | 'expired';
  expiresAt: Date;
}

/** What is known of the event; purchase facts are only gathered when the rule reads them. */
export interface QualifyingEvent {
  type: 'signup' | 'purchase';
  occurredAt: Date;
  order: FixedReward | null;
  /** Purchases of the referee that meet the minimum order since the referral, this one included. */
  countingPurchases: number;
  /** The referee had bought before the referral was made. */
  boughtBefore: boolean;
}

export type QualificationDecision =
  | { outcome: 'qualify' }
  | { outcome: 'expire' }
  | { outcome: 'reject'; reason: 'existing_customer' }
  | { outcome: 'wait'; reason: 'below_minimum_order' | 'not_qualifying_purchase' | 'qualifies_at_signup' }
  | { outcome: 'ignored'; reason: 'not_pending' };

/** Whether a purchase counts toward qualification at all (its currency and amount). */
function meetsMinimum(rule: Qualification, order: FixedReward | null): boolean {
  if (!rule.min_order) return true;
  return (
    order !== null && order.currency === rule.min_order.currency && order.amount >= rule.min_order.amount
  );
}

export function decideQualification(
  referral: PendingReferral,
  rule: Qualification,
  event: QualifyingEvent,
): QualificationDecision {
  if (referral.status !== 'pending') return { outcome: 'ignored', reason: 'not_pending' };
  if (event.occurredAt.getTime() > referral.expiresAt.getTime()) return { outcome: 'expire' };
  if (rule.event !== event.type) return { outcome: 'wait', reason: 'qualifies_at_signup' };
  if (rule.new_customers_only && event.boughtBefore)
    return { outcome: 'reject', reason: 'existing_customer' };
  if (event.type === 'signup') return { outcome: 'qualify' };
  if (!meetsMinimum(rule, event.order)) return { outcome: 'wait', reason: 'below_minimum_order' };
  if (event.countingPurchases < rule.purchase_number)
    return { outcome: 'wait', reason: 'not_qualifying_purchase' };
  return { outcome: 'qualify' };
}
