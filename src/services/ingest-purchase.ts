import { decideQualification } from '../domain/qualification.ts';
import { normalizeRules } from '../domain/reward-rules.ts';
import { countPurchasesSince, hasPurchasedBefore } from '../store/repositories/events.ts';
import { findParticipantsByExternalId } from '../store/repositories/participants.ts';
import {
  findPendingReferralsOfCustomer,
  type ReferralRow,
  rejectPendingReferral,
  setFraudScreening,
  transitionPendingReferral,
} from '../store/repositories/referrals.ts';
import { observeParticipant } from './identities.ts';
import { storedIdentities } from './identity-keys.ts';
import { emit, type IngestContext, type Ingested, result } from './ingest-context.ts';
import { fraudSettingsOf } from './programs.ts';
import { qualifyReferral } from './qualify-referral.ts';
import { closeReviewOfBlocked } from './reviews.ts';
import { recordScreening, screenQualification } from './screen-referral.ts';

/**
 * The identities a purchase carries (payment fingerprint, device, network) are remembered for
 * every record of the customer, so later referrals can be compared with them.
 */
async function rememberPurchaser(ctx: IngestContext): Promise<void> {
  const identities = storedIdentities(ctx.keys);
  if (identities.length === 0) return;
  for (const participant of await findParticipantsByExternalId(ctx.db, ctx.event.customer_external_id)) {
    await observeParticipant(ctx.db, participant, identities, ctx.now);
  }
}

/** Screens a referral about to qualify; false when fraud rules block it (it is then rejected). */
async function passesScreening(ctx: IngestContext, referral: ReferralRow, fraudSettings: string) {
  if (!ctx.keys.paymentHash) return true;
  const screen = await screenQualification(
    ctx,
    referral,
    ctx.keys.paymentHash,
    fraudSettingsOf(fraudSettings),
  );
  if (screen.signals.length === 0) return true;
  await setFraudScreening(ctx.db, referral.id, { fraud_outcome: screen.outcome, fraud_score: screen.score });
  await recordScreening(ctx, referral, 'qualification', screen);
  if (screen.outcome !== 'block') return true;
  if (await rejectPendingReferral(ctx.db, referral.id, 'fraud')) {
    emit(ctx, 'referral.rejected', { referral_id: referral.id, reason: 'fraud' });
    await closeReviewOfBlocked(ctx.db, referral.id, ctx.now);
  }
  return false;
}

/**
 * A purchase: it qualifies the customer's pending referrals whose rules it meets (by default the
 * first purchase within the window), each under the rules version it was made with.
 */
export async function ingestPurchase(ctx: IngestContext): Promise<Ingested> {
  const { db, event } = ctx;
  await rememberPurchaser(ctx);
  const pending = await findPendingReferralsOfCustomer(db, event.customer_external_id, event.program_id);
  const programId = event.program_id ?? pending[0]?.program_id ?? null;
  if (pending.length === 0) {
    return { programId, result: result('not_qualified', { reason: 'no_pending_referral' }) };
  }
  const order = { amount: event.amount as number, currency: event.currency as string };
  const qualified: string[] = [];
  const rewardIds: string[] = [];
  let reason = 'already_qualified';
  for (const referral of pending) {
    const rules = normalizeRules(JSON.parse(referral.program_rules));
    const rule = rules.qualification;
    // Counting purchases costs a query; the first one that meets the rule needs none.
    const countingPurchases =
      rule.purchase_number > 1
        ? await countPurchasesSince(db, event.customer_external_id, referral.created_at, rule.min_order)
        : 1;
    const boughtBefore =
      rule.new_customers_only &&
      (await hasPurchasedBefore(db, event.customer_external_id, referral.created_at));
    const decision = decideQualification(
      { status: referral.status, expiresAt: new Date(referral.expires_at) },
      rule,
      { type: 'purchase', occurredAt: ctx.at, order, countingPurchases, boughtBefore },
    );
    if (decision.outcome === 'expire') {
      if (await transitionPendingReferral(db, referral.id, { status: 'expired' })) reason = 'outside_window';
      continue;
    }
    if (decision.outcome === 'reject') {
      if (await rejectPendingReferral(db, referral.id, decision.reason)) {
        emit(ctx, 'referral.rejected', { referral_id: referral.id, reason: decision.reason });
        reason = decision.reason;
      }
      continue;
    }
    if (decision.outcome !== 'qualify') {
      if (decision.outcome === 'wait') reason = decision.reason;
      continue;
    }
    if (!(await passesScreening(ctx, referral, referral.program_fraud_settings))) {
      reason = 'fraud';
      continue;
    }
    const holdDays = referral.program_hold_days;
    const granted = await qualifyReferral(ctx, { ...referral, rules, holdDays }, order);
    if (!granted) continue;
    qualified.push(referral.id);
    rewardIds.push(...granted);
  }
  if (qualified.length === 0) return { programId, result: result('not_qualified', { reason }) };
  return {
    programId,
    result: result('referral_qualified', { referral_ids: qualified, reward_ids: rewardIds }),
  };
}
