import { type EntryDraft, rewardPosting } from '../../domain/ledger.ts';
import {
  decideApproval,
  decideRedemption,
  decideReversal,
  type RewardState,
} from '../../domain/reward-lifecycle.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Executor, InTransaction, Page, PageRequest } from '../../store/executor.ts';
import { findOpenReview } from '../../store/repositories/fraud.ts';
import { insertPostings } from '../../store/repositories/ledger.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import {
  findReward,
  listDueRewardIds,
  listRewardRows,
  type RewardFilter,
  type RewardRow,
  updateRewardIfUnchanged,
} from '../../store/repositories/rewards.ts';
import { type Actor, audit, MATURATION } from '../audit.ts';
import { outboxMessage } from '../outbox-message.ts';
import { fulfil, holderOf } from './fulfilment.ts';
import { cancelTaskOfReward } from './fulfilment-tasks.ts';
import { refuseIfHeldByDisable } from './reward-release.ts';

export type { RewardRow };
export type ReversalReason = NonNullable<RewardRow['reversal_reason']>;

// A reward changes by compare-and-set on (status, reversed_amount); a loser reads it again. More
// than a few losses in a row would mean a bug, not contention.
const MAX_ATTEMPTS = 5;
const LOST = Symbol('lost');

const stateOf = (r: RewardRow): RewardState => ({
  status: r.status,
  amount: r.amount,
  reversedAmount: r.reversed_amount,
  kind: r.kind,
});

async function changeLatest<T>(
  db: InTransaction,
  id: string,
  change: (reward: RewardRow) => Promise<T | typeof LOST>,
): Promise<T> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const reward = await findReward(db, id);
    if (!reward) throw notFound('reward', id);
    const done = await change(reward);
    if (done !== LOST) return done;
  }
  throw new Error(`reward ${id} changed under every one of ${MAX_ATTEMPTS} attempts`);
}

/**
 * Approves a held reward: cash becomes available for payouts, a reward in kind is delivered (see
 * fulfilment.ts). Null if not held.
 */
async function approve(db: InTransaction, id: string, now: Date, actor: Actor): Promise<RewardRow | null> {
  return changeLatest(db, id, async (reward) => {
    const decision = decideApproval(stateOf(reward));
    if (decision.outcome === 'refused') return null;
    const changes = { status: 'approved' as const, approved_at: now.toISOString() };
    if (!(await updateRewardIfUnchanged(db, reward, changes))) return LOST;
    const posting = rewardPosting(holderOf(reward), 'pending', 'approved', decision.amount);
    await insertPostings(db, [postingOf(reward, posting)], now.toISOString(), () => newId('led'));
    await enqueue(db, [outboxMessage('reward.approved', { reward_id: id }, now)]);
    await audit(db, actor, now, [
      { action: 'reward.approved', subjectId: id, details: { amount: decision.amount } },
    ]);
    return fulfil(db, { ...reward, ...changes }, now, actor);
  });
}

function postingOf(reward: RewardRow, entries: EntryDraft[]) {
  return { id: newId('pst'), programId: reward.program_id, rewardId: reward.id, entries };
}

/** An admin approves a reward before its hold ends. */
export async function approveReward(
  db: InTransaction,
  id: string,
  now: Date,
  actor: Actor,
): Promise<RewardRow> {
  const reward = await getReward(db, id);
  const review = await findOpenReview(db, reward.referral_id);
  if (review) {
    throw new AppError(
      'review_open',
      `Reward '${id}' waits for fraud review '${review.id}' of its referral; decide the review first.`,
    );
  }
  await refuseIfHeldByDisable(db, reward);
  const approved = await approve(db, id, now, actor);
  if (approved) return approved;
  const latest = await findReward(db, id);
  throw new AppError(
    'reward_not_pending',
    `Reward '${id}' is ${latest?.status}; only a pending reward can be approved.`,
  );
}

/**
 * Approves up to `limit` rewards whose hold has ended, whose referral awaits no review and whose
 * participant is not disabled (unless an admin released the reward).
 */
export async function approveDueRewards(db: InTransaction, now: Date, limit: number): Promise<number> {
  let approved = 0;
  // In id order, the order every change of several rewards takes, so none deadlocks with another.
  const due = (await listDueRewardIds(db, now.toISOString(), limit)).sort();
  for (const id of due) {
    if (await approve(db, id, now, MATURATION)) approved++;
  }
  return approved;
}

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

export function listRewards(db: Executor, filter: RewardFilter, page: PageRequest): Promise<Page<RewardRow>> {
  return listRewardRows(db, filter, page);
}

export async function getReward(db: Executor, id: string): Promise<RewardRow> {
  const reward = await findReward(db, id);
  if (!reward) throw notFound('reward', id);
  return reward;
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

/** The business reports a delivered reward used: the credit spent, the code applied at checkout. */
export async function redeemReward(
  db: InTransaction,
  id: string,
  input: { reference?: string | undefined },
  now: Date,
  actor: Actor,
): Promise<RewardRow> {
  return changeLatest(db, id, async (reward) => {
    const decision = decideRedemption(stateOf(reward));
    if (decision.outcome === 'refused') {
      if (decision.reason === 'not_redeemable') {
        throw new AppError('reward_not_redeemable', `A ${reward.kind} reward has no redemption.`);
      }
      throw new AppError(
        'reward_not_issued',
        `Reward '${id}' is ${reward.status}; only an issued reward can be redeemed.`,
      );
    }
    const changes = { status: 'redeemed' as const, redeemed_at: now.toISOString() };
    if (!(await updateRewardIfUnchanged(db, reward, changes))) return LOST;
    const posting = rewardPosting(holderOf(reward), 'issued', 'redeemed', decision.amount);
    await insertPostings(db, [postingOf(reward, posting)], now.toISOString(), () => newId('led'));
    const payload = { reward_id: id, amount: decision.amount, reference: input.reference ?? null };
    await enqueue(db, [outboxMessage('reward.redeemed', payload, now)]);
    await audit(db, actor, now, [{ action: 'reward.redeemed', subjectId: id, details: payload }]);
    return { ...reward, ...changes };
  });
}
