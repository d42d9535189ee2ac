import { rewardPosting } from '../../domain/ledger.ts';
import { holdEndsAt } from '../../domain/reward-lifecycle.ts';
import {
  type EarnedReward,
  earnRewards,
  type FixedReward,
  factsNeeded,
  monthStart,
  NOTHING_SPENT,
  type RewardFacts,
  type RewardRules,
} from '../../domain/reward-rules.ts';
import { newId } from '../../lib/ids.ts';
import { lockNames, lockRow } from '../../store/locks.ts';
import { insertPostings } from '../../store/repositories/ledger.ts';
import {
  participantFactsOf,
  recordsOfPerson,
  refereeRewarded,
} from '../../store/repositories/qualification-facts.ts';
import {
  countQualifiedReferrals,
  setUnrewardedReason,
  transitionPendingReferral,
} from '../../store/repositories/referrals.ts';
import { insertRewards, type RewardRow, rewardedSince } from '../../store/repositories/rewards.ts';
import { audit } from '../audit.ts';
import { holderOf } from '../rewards/fulfilment.ts';
import { emit, type IngestContext } from './ingest-context.ts';

export interface QualifyingReferral {
  id: string;
  program_id: string;
  referrer_id: string;
  referee_id: string;
  rules: RewardRules;
  holdDays: number;
}

/**
 * Qualifies a pending referral and grants what its rules earn. Guarded on `pending`: of two
 * concurrent events only one qualifies it, and the other gets null. The reward ids otherwise.
 */
export async function qualifyReferral(
  ctx: IngestContext,
  referral: QualifyingReferral,
  order: FixedReward | null,
): Promise<string[] | null> {
  const won = await transitionPendingReferral(ctx.db, referral.id, {
    status: 'qualified',
    qualifying_event_id: ctx.event.id,
    qualified_at: ctx.now.toISOString(),
  });
  if (!won) return null;
  emit(ctx, 'referral.qualified', { referral_id: referral.id, event_id: ctx.event.id });
  const facts = await gatherFacts(ctx, referral, order);
  const { rewards, skipped } = earnRewards(
    referral.rules,
    { referrerId: referral.referrer_id, refereeId: referral.referee_id },
    facts,
  );
  const [firstSkip] = skipped;
  if (firstSkip) await setUnrewardedReason(ctx.db, referral.id, firstSkip.reason);
  const availableAt = holdEndsAt(ctx.at, referral.holdDays).toISOString();
  const rows = rewards.map((earned) => rewardRow(ctx, referral, earned, availableAt));
  await grantRewards(ctx, rows);
  return rows.map((r) => r.id);
}

/**
 * Reads only what the rules need. Caps and tiers read totals and then add to them, so on
 * PostgreSQL the referrer's (and for a budget, the program's) row is locked first: concurrent
 * referrals of one referrer are then counted one after another, never both under the cap.
 */
async function gatherFacts(
  ctx: IngestContext,
  referral: QualifyingReferral,
  order: FixedReward | null,
): Promise<RewardFacts> {
  const needs = factsNeeded(referral.rules);
  const facts: RewardFacts = {
    order,
    referrerRewarded: 0,
    referrerThisMonth: NOTHING_SPENT,
    referrerLifetime: NOTHING_SPENT,
    programThisMonth: NOTHING_SPENT,
    loyaltyPoints: ctx.event.loyalty_points ?? 0,
    referrerDisabled: false,
    refereeDisabled: false,
    referrerSegment: null,
    refereeSegment: null,
    refereeLifetime: NOTHING_SPENT,
  };
  const month = monthStart(ctx.now);
  const programId = referral.program_id;
  if (needs.referrerHistory) {
    await lockRow(ctx.db, 'participants', referral.referrer_id);
    const referrer = { programId, participantId: referral.referrer_id };
    // This referral is qualified already, in this transaction: it is not one of those before it.
    facts.referrerRewarded = (await countQualifiedReferrals(ctx.db, programId, referral.referrer_id)) - 1;
    facts.referrerThisMonth = await rewardedSince(ctx.db, { ...referrer, since: month });
    facts.referrerLifetime = await rewardedSince(ctx.db, referrer);
  }
  if (needs.programMonth) {
    await lockRow(ctx.db, 'programs', programId);
    facts.programThisMonth = await rewardedSince(ctx.db, { programId, since: month });
  }
  // Always read: a participant disabled since the sign-up earns nothing new.
  const participants = await participantFactsOf(ctx.db, [referral.referrer_id, referral.referee_id]);
  const referrerRow = participants.get(referral.referrer_id);
  const refereeRow = participants.get(referral.referee_id);
  facts.referrerDisabled = referrerRow?.status === 'disabled';
  facts.refereeDisabled = refereeRow?.status === 'disabled';
  if (needs.segments) {
    facts.referrerSegment = referrerRow?.segment ?? null;
    facts.refereeSegment = refereeRow?.segment ?? null;
  }
  if (needs.refereeHistory) facts.refereeLifetime = await refereeHistory(ctx, referral.referee_id);
  return facts;
}

/**
 * What the referee, as one person, received in every program. Qualifications of one person (by
 * any of their customer ids) take turns on PostgreSQL, so two never pass the cap together.
 */
async function refereeHistory(ctx: IngestContext, refereeId: string) {
  const records = await recordsOfPerson(ctx.db, refereeId);
  await lockNames(ctx.db, [...new Set(records.map((r) => `referee:${r.external_id}`))]);
  return refereeRewarded(
    ctx.db,
    records.map((r) => r.id),
  );
}

/** A new reward, held until `availableAt` (the program's hold counted from the event). */
function rewardRow(
  ctx: IngestContext,
  referral: QualifyingReferral,
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
    kind: earned.kind,
    accounting_class: earned.accountingClass,
    fulfilment: earned.kind === 'cash' ? null : JSON.stringify(earned.fulfilment),
    pool_id: earned.fulfilment.method === 'pool' ? earned.fulfilment.pool_id : null,
    code: null,
    fulfilment_reference: null,
    redeemed_at: null,
    released_at: null,
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
    entries: rewardPosting(holderOf(reward), 'program', 'pending', reward.amount),
  }));
  await insertPostings(ctx.db, postings, ctx.now.toISOString(), () => newId('led'));
  for (const reward of rewards)
    emit(ctx, 'reward.created', { reward_id: reward.id, referral_id: reward.referral_id });
  const created = rewards.map((r) => ({
    action: 'reward.created',
    subjectId: r.id,
    details: {
      referral_id: r.referral_id,
      side: r.side,
      kind: r.kind,
      amount: r.amount,
      currency: r.currency,
    },
  }));
  await audit(ctx.db, ctx.actor, ctx.now, created);
}
