import { rewardPosting } from '../../domain/ledger.ts';
import { decideApproval } from '../../domain/reward-lifecycle.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { InTransaction } from '../../store/executor.ts';
import { findOpenReview } from '../../store/repositories/fraud.ts';
import { insertPostings } from '../../store/repositories/ledger.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import {
  findReward,
  listDueRewardIds,
  type RewardRow,
  updateRewardIfUnchanged,
} from '../../store/repositories/rewards.ts';
import { type Actor, audit, MATURATION } from '../audit.ts';
import { outboxMessage } from '../outbox-message.ts';
import { fulfil, holderOf } from './fulfilment.ts';
import { refuseIfHeldByDisable } from './reward-release.ts';
import { changeLatest, getReward, LOST, postingOf, stateOf } from './rewards.ts';

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
