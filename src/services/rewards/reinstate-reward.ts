import { rewardPosting } from '../../domain/ledger.ts';
import { decideReinstatement } from '../../domain/reward-lifecycle.ts';
import { newId } from '../../lib/ids.ts';
import type { InTransaction } from '../../store/executor.ts';
import { insertPostings } from '../../store/repositories/ledger.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import { findReward, type RewardRow, updateRewardIfUnchanged } from '../../store/repositories/rewards.ts';
import { type Actor, audit } from '../audit.ts';
import { outboxMessage } from '../outbox-message.ts';
import { fulfil, fulfilmentOf, holderOf } from './fulfilment.ts';

export interface ReinstatementRequest {
  /** What the reversal being undone took from the reward. */
  taken: number;
  /** The event that undoes it (a won chargeback), which its posting names. */
  eventId: string;
  reason: 'chargeback_won';
  actor: Actor;
}

// Rewards change by compare-and-set on (status, reversed_amount); a loser reads again.
const MAX_ATTEMPTS = 5;

/**
 * Gives back to a reward what one reversal took: a new posting from the program to where the
 * reward sits (or sat, if it was reversed whole), never an edit of the old ones. Null when nothing
 * of it is reversed any more.
 */
export async function reinstateReward(
  db: InTransaction,
  id: string,
  request: ReinstatementRequest,
  now: Date,
): Promise<RewardRow | null> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const reward = await findReward(db, id);
    if (!reward) return null;
    const state = {
      status: reward.status,
      amount: reward.amount,
      reversedAmount: reward.reversed_amount,
      kind: reward.kind,
    };
    const progress = { approvedAt: reward.approved_at, issuedAt: reward.issued_at };
    const decision = decideReinstatement(state, progress, request.taken);
    if (decision.outcome === 'refused') return null;
    const reversed = reward.reversed_amount - decision.amount;
    // Nothing reversed any more: the reward reads as never reversed (the audit log keeps it).
    const changes = {
      status: decision.status,
      reversed_amount: reversed,
      ...(reversed === 0 ? { reversed_at: null, reversal_reason: null } : {}),
    };
    if (!(await updateRewardIfUnchanged(db, reward, changes))) continue;
    const entries = rewardPosting(holderOf(reward), 'program', decision.status, decision.amount);
    const posting = {
      id: newId('pst'),
      programId: reward.program_id,
      rewardId: id,
      eventId: request.eventId,
      entries,
    };
    await insertPostings(db, [posting], now.toISOString(), () => newId('led'));
    const payload = {
      reward_id: id,
      kind: reward.kind,
      amount: decision.amount,
      currency: reward.currency,
      reason: request.reason,
      event_id: request.eventId,
      code: reward.code,
    };
    await enqueue(db, [outboxMessage('reward.reinstated', payload, now)]);
    await audit(db, request.actor, now, [{ action: 'reward.reinstated', subjectId: id, details: payload }]);
    const reinstated = { ...reward, ...changes };
    return redeliver(db, reward, reinstated, now, request.actor);
  }
  throw new Error(`reward ${id} changed under every one of ${MAX_ATTEMPTS} attempts`);
}

/**
 * A reward in kind voided while it waited for delivery (its pool was empty) is delivered again when
 * it comes back. A task canceled by the clawback stays canceled: an admin delivers it by hand.
 */
async function redeliver(db: InTransaction, before: RewardRow, after: RewardRow, now: Date, actor: Actor) {
  const waited = before.status === 'reversed' && after.status === 'approved' && after.kind !== 'cash';
  if (!waited || fulfilmentOf(after).method === 'task') return after;
  return fulfil(db, after, now, actor);
}
