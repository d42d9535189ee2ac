import { newId } from '../../lib/ids.ts';
import type { InTransaction } from '../../store/executor.ts';
import { lockNames } from '../../store/locks.ts';
import {
  claimEvent,
  type EventRow,
  findEventByExternalId,
  setEventOutcome,
} from '../../store/repositories/events.ts';
import { takenByEvent } from '../../store/repositories/ledger.ts';
import type { Actor } from '../audit.ts';
import { reinstateReward } from '../rewards/reinstate-reward.ts';
import { result } from './ingest-context.ts';

export type Withdrawal =
  | { outcome: 'withdrawn'; event: EventRow; rewardIds: string[] }
  | { outcome: 'nothing_taken' };

/**
 * Undoes a recorded refund: a chargeback the merchant won. It is recorded as a refund of minus
 * the refunded amount (`externalId`), so the purchase's refunded total drops back and later refunds
 * claw back from the whole again; and each reward gets back exactly what that refund's postings
 * took from it. Idempotent by `externalId`: a repeat changes nothing and answers the first event.
 * A refund never recorded (the chargeback took nothing) is nothing to undo.
 */
export async function withdrawRefund(
  db: InTransaction,
  input: { refundExternalId: string; externalId: string; occurredAt: string },
  now: Date,
  actor: Actor,
): Promise<Withdrawal> {
  const refund = await findEventByExternalId(db, 'refund', input.refundExternalId);
  if (!refund?.purchase_external_id || !refund.amount) return { outcome: 'nothing_taken' };
  // The lock refunds of this purchase take (ingest-refund.ts): the totals they read include this.
  await lockNames(db, [`purchase:${refund.purchase_external_id}`]);
  const event: EventRow = {
    ...refund,
    id: newId('evt'),
    external_id: input.externalId,
    amount: -refund.amount,
    occurred_at: input.occurredAt,
    received_at: now.toISOString(),
    result: '{}',
  };
  if (!(await claimEvent(db, event))) {
    const first = await findEventByExternalId(db, 'refund', input.externalId);
    if (!first) throw new Error('event claim conflicted but no row was found');
    return { outcome: 'withdrawn', event: first, rewardIds: [] };
  }
  const rewardIds: string[] = [];
  // In id order, the order every change of several rewards takes, so none deadlocks with another.
  for (const [rewardId, taken] of await takenByEvent(db, refund.id)) {
    const request = { taken, eventId: event.id, reason: 'chargeback_won' as const, actor };
    if (await reinstateReward(db, rewardId, request, now)) rewardIds.push(rewardId);
  }
  event.result = JSON.stringify(result('recorded', { reason: 'rewards_reinstated', reward_ids: rewardIds }));
  await setEventOutcome(db, event.id, { result: event.result, program_id: event.program_id });
  return { outcome: 'withdrawn', event, rewardIds };
}
