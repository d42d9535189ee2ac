import { rewardPosting } from '../../domain/ledger.ts';
import { decideRedemption } from '../../domain/reward-lifecycle.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { InTransaction } from '../../store/executor.ts';
import { insertPostings } from '../../store/repositories/ledger.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import { type RewardRow, updateRewardIfUnchanged } from '../../store/repositories/rewards.ts';
import { type Actor, audit } from '../audit.ts';
import { outboxMessage } from '../outbox-message.ts';
import { holderOf } from './fulfilment.ts';
import { changeLatest, LOST, postingOf, stateOf } from './rewards.ts';

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
