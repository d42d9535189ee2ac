import { AppError, notFound } from '../../lib/errors.ts';
import type { InTransaction } from '../../store/executor.ts';
import { findParticipant } from '../../store/repositories/participants.ts';
import { findReward, type RewardRow } from '../../store/repositories/rewards.ts';
import { type Actor, audit } from '../audit.ts';

// Disabling a participant (abuse, an employee who left) makes their money wait: maturation, manual
// approval and payout runs pass over their rewards until they are enabled again, or an admin
// releases a reward here (or reverses it). A released reward follows its usual course: hold,
// approval, payout.

/** Refuses to approve a reward that waits because its participant is disabled. */
export async function refuseIfHeldByDisable(db: InTransaction, reward: RewardRow): Promise<void> {
  if (reward.released_at !== null) return;
  const participant = await findParticipant(db, reward.participant_id);
  if (participant?.status !== 'disabled') return;
  throw new AppError(
    'participant_disabled',
    `Reward '${reward.id}' waits: participant '${participant.id}' is disabled. Enable them again, ` +
      `release the reward (POST /v1/rewards/${reward.id}/release) or reverse it.`,
  );
}

/**
 * Lets a reward through although its participant is (or later becomes) disabled. Only a reward
 * that can still wait (pending, or approved and not paid or delivered) can be released; releasing
 * it again changes nothing.
 */
export async function releaseReward(
  db: InTransaction,
  id: string,
  now: Date,
  actor: Actor,
): Promise<RewardRow> {
  const result = await db
    .updateTable('rewards')
    .set({ released_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'approved'])
    .where('released_at', 'is', null)
    .executeTakeFirst();
  const reward = await findReward(db, id);
  if (!reward) throw notFound('reward', id);
  if (result.numUpdatedRows === 1n) {
    const details = { participant_id: reward.participant_id, amount: reward.amount - reward.reversed_amount };
    await audit(db, actor, now, [{ action: 'reward.released', subjectId: id, details }]);
    return reward;
  }
  if (reward.released_at !== null) return reward;
  throw new AppError(
    'reward_not_pending',
    `Reward '${id}' is ${reward.status}; only a pending or approved reward waits to be released.`,
  );
}
