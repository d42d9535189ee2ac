import { rewardPosting } from '../../domain/ledger.ts';
import { decideReversal } from '../../domain/reward-lifecycle.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { InTransaction } from '../../store/executor.ts';
import { insertPostings } from '../../store/repositories/ledger.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import { type RewardRow, updateRewardIfUnchanged } from '../../store/repositories/rewards.ts';
import { type Actor, audit } from '../audit.ts';
import { outboxMessage } from '../outbox-message.ts';
import { holderOf } from './fulfilment.ts';
import { cancelTaskOfReward } from './fulfilment-tasks.ts';
import { changeLatest, getReward, LOST, postingOf, type ReversalReason, stateOf } from './rewards.ts';

export interface ReversalRequest {
  /** What to claw back, computed on the latest state of the reward; 0 leaves it alone. */
  amount: (reward: RewardRow) => number;
  reason: ReversalReason;
  /** The refund event behind it, if any. */
  eventId?: string;
  actor: Actor;
}

/**
 * Claws back part or all of a reward, from the balance it sits on now. Null when there was
 * nothing to claw back; an AppError when the amount cannot be clawed back.
 */
export async function reverseReward(
  db: InTransaction,
  id: string,
  request: ReversalRequest,
  now: Date,
): Promise<RewardRow | null> {
  return changeLatest(db, id, async (reward) => {
    const amount = request.amount(reward);
    if (amount === 0) return null;
    const decision = decideReversal(stateOf(reward), amount);
    if (decision.outcome === 'refused') throw reversalRefused(reward, amount, decision.reason);
    const changes = {
      status: decision.status,
      reversed_amount: reward.reversed_amount + amount,
      reversed_at: now.toISOString(),
      reversal_reason: request.reason,
    };
    if (!(await updateRewardIfUnchanged(db, reward, changes))) return LOST;
    const posting = rewardPosting(holderOf(reward), decision.from, 'program', amount);
    // The posting names its refund, so a chargeback later won gives back exactly what it took.
    const answering = { ...postingOf(reward, posting), eventId: request.eventId ?? null };
    await insertPostings(db, [answering], now.toISOString(), () => newId('led'));
    // A reward waiting for its task is no longer due; a delivered code is in the payload to revoke.
    if (decision.status === 'reversed') await cancelTaskOfReward(db, id, now, request.actor);
    const payload = {
      reward_id: id,
      kind: reward.kind,
      amount,
      currency: reward.currency,
      reason: request.reason,
      event_id: request.eventId ?? null,
      code: reward.code,
    };
    await enqueue(db, [outboxMessage('reward.reversed', payload, now)]);
    await audit(db, request.actor, now, [{ action: 'reward.reversed', subjectId: id, details: payload }]);
    return { ...reward, ...changes };
  });
}

function reversalRefused(
  reward: RewardRow,
  amount: number,
  reason: 'already_reversed' | 'exceeds_reward' | 'redeemed' | 'not_divisible',
) {
  const left = reward.amount - reward.reversed_amount;
  if (reason === 'already_reversed') {
    return new AppError('reward_already_reversed', `Reward '${reward.id}' is already fully reversed.`);
  }
  if (reason === 'redeemed') {
    return new AppError(
      'reward_redeemed',
      `Reward '${reward.id}' was redeemed; what was used cannot be clawed back.`,
    );
  }
  if (reason === 'not_divisible') {
    return new AppError(
      'reward_not_divisible',
      `A ${reward.kind} reward is clawed back whole: amount must be ${left}, or left out.`,
      'amount',
    );
  }
  return new AppError(
    'amount_exceeds_reward',
    `amount ${amount} is more than the ${left} ${reward.currency} left of reward '${reward.id}'.`,
    'amount',
  );
}

/** An admin claws back a reward (fraud found late, a duplicate): all that is left, or `amount`. */
export async function reverseRewardByAdmin(
  db: InTransaction,
  id: string,
  input: { amount?: number | undefined; reason: Exclude<ReversalReason, 'refund'> },
  now: Date,
  actor: Actor,
): Promise<RewardRow> {
  if (input.amount !== undefined && input.amount <= 0) {
    throw new AppError('value_too_small', 'amount must be a positive integer in minor units.', 'amount');
  }
  const reversed = await reverseReward(
    db,
    id,
    {
      amount: (reward) => input.amount ?? Math.max(1, reward.amount - reward.reversed_amount),
      reason: input.reason,
      actor,
    },
    now,
  );
  return reversed ?? getReward(db, id);
}
