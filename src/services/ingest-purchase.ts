import { rewardCreatedPosting } from '../domain/ledger.ts';
import { decideQualification, type EarnedReward, type ProgramRewards } from '../domain/qualification.ts';
import { holdEndsAt } from '../domain/reward-lifecycle.ts';
import { newId } from '../lib/ids.ts';
import { insertPostings } from '../store/repositories/ledger.ts';
import {
  findPendingReferralsOfCustomer,
  transitionPendingReferral,
} from '../store/repositories/referrals.ts';
import { insertRewards, type RewardRow } from '../store/repositories/rewards.ts';
import { emit, type IngestContext, type Ingested, result } from './ingest-context.ts';

/** A purchase: the first one within the window qualifies the customer's pending referrals. */
export async function ingestPurchase(ctx: IngestContext): Promise<Ingested> {
  const { db, event } = ctx;
  const pending = await findPendingReferralsOfCustomer(db, event.customer_external_id, event.program_id);
  const programId = event.program_id ?? pending[0]?.program_id ?? null;
  if (pending.length === 0) {
    return { programId, result: result('not_qualified', { reason: 'no_pending_referral' }) };
  }
  const qualified: string[] = [];
  const rewards: RewardRow[] = [];
  let expired = false;
  for (const referral of pending) {
    const decision = decideQualification(
      {
        status: referral.status,
        referrerId: referral.referrer_id,
        refereeId: referral.referee_id,
        expiresAt: new Date(referral.expires_at),
      },
      JSON.parse(referral.program_rewards) as ProgramRewards,
      ctx.at,
    );
    if (decision.outcome === 'expire') {
      expired ||= await transitionPendingReferral(db, referral.id, { status: 'expired' });
      continue;
    }
    if (decision.outcome !== 'qualify') continue;
    // Guarded on `pending`: of two concurrent purchases only one qualifies the referral.
    const won = await transitionPendingReferral(db, referral.id, {
      status: 'qualified',
      qualifying_event_id: event.id,
      qualified_at: ctx.now.toISOString(),
    });
    if (!won) continue;
    qualified.push(referral.id);
    emit(ctx, 'referral.qualified', { referral_id: referral.id, event_id: event.id });
    const availableAt = holdEndsAt(ctx.at, referral.program_hold_days).toISOString();
    rewards.push(...decision.rewards.map((earned) => rewardRow(ctx, referral, earned, availableAt)));
  }
  await grantRewards(ctx, rewards);
  if (qualified.length === 0) {
    const reason = expired ? 'outside_window' : 'already_qualified';
    return { programId, result: result('not_qualified', { reason }) };
  }
  const rewardIds = rewards.map((r) => r.id);
  return {
    programId,
    result: result('referral_qualified', { referral_ids: qualified, reward_ids: rewardIds }),
  };
}

/** A new reward, held until `availableAt` (the program's hold counted from the purchase). */
function rewardRow(
  ctx: IngestContext,
  referral: { id: string; program_id: string },
  earned: EarnedReward,
  availableAt: string,
): RewardRow {
  return {
    id: newId('rwd'),
    program_id: referral.program_id,
    referral_id: referral.id,
    participant_id: earned.participantId,
    side: earned.side,
    amount: earned.amount,
    currency: earned.currency,
    status: 'pending',
    reversed_amount: 0,
    qualifying_event_id: ctx.event.id,
    available_at: availableAt,
    approved_at: null,
    issued_at: null,
    reversed_at: null,
    reversal_reason: null,
    payout_id: null,
    created_at: ctx.now.toISOString(),
  };
}

/** Rewards start pending, with a ledger posting each that moves the amount onto the held balance. */
async function grantRewards(ctx: IngestContext, rewards: RewardRow[]): Promise<void> {
  if (rewards.length === 0) return;
  await insertRewards(ctx.db, rewards);
  const postings = rewards.map((reward) => ({
    id: newId('pst'),
    programId: reward.program_id,
    rewardId: reward.id,
    entries: rewardCreatedPosting(reward.participant_id, reward.amount, reward.currency),
  }));
  await insertPostings(ctx.db, postings, ctx.now.toISOString(), () => newId('led'));
  for (const reward of rewards)
    emit(ctx, 'reward.created', { reward_id: reward.id, referral_id: reward.referral_id });
}
