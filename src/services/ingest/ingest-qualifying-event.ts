import {
  decideQualification,
  type PendingReferral,
  type QualifyingEvent,
} from '../../domain/qualification.ts';
import { type FixedReward, normalizeRules, type Qualification } from '../../domain/reward-rules.ts';
import { countPurchasesSince, hasPurchasedBefore } from '../../store/repositories/events.ts';
import { findParticipantsByExternalId } from '../../store/repositories/participants.ts';
import { signupOccurredAt } from '../../store/repositories/qualification-facts.ts';
import {
  findPendingReferralsOfCustomer,
  type ReferralRow,
  rejectPendingReferral,
  setFraudScreening,
  transitionPendingReferral,
} from '../../store/repositories/referrals.ts';
import { closeReviewOfBlocked } from '../fraud/reviews.ts';
import { recordScreening, screenQualification } from '../fraud/screen-referral.ts';
import { observeParticipant } from '../identity/identities.ts';
import { storedIdentities } from '../identity/identity-keys.ts';
import { fraudSettingsOf } from '../programs/programs.ts';
import { emit, type IngestContext, type Ingested, result } from './ingest-context.ts';
import { clawBackEarlierRefunds, lockPurchase } from './ingest-refund.ts';
import { qualifyReferral } from './qualify-referral.ts';

/**
 * The identities a purchase carries (payment fingerprint, device, network) are remembered for
 * every record of the customer, so later referrals can be compared with them.
 */
async function rememberPurchaser(ctx: IngestContext): Promise<void> {
  const identities = storedIdentities(ctx.keys);
  if (identities.length === 0) return;
  for (const participant of await findParticipantsByExternalId(ctx.db, ctx.event.customer_external_id)) {
    await observeParticipant(ctx.db, participant, identities, ctx.at);
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

/** What the decision reads of the referral and the event; each fact is queried only if the rule reads it. */
async function decisionInput(
  ctx: IngestContext,
  referral: ReferralRow,
  rule: Qualification,
  order: FixedReward | null,
): Promise<[PendingReferral, QualifyingEvent]> {
  const { db, event } = ctx;
  const counts = event.type === 'purchase' && rule.purchase_number > 1;
  // Purchases count from the sign-up's own time, not from when Vouch received it: a payment that
  // is its own sign-up (Stripe, Shopify) happened before it arrived, and is the first purchase.
  const signedUpAt =
    rule.within_days !== null || counts || rule.new_customers_only
      ? await signupOccurredAt(db, referral.signup_event_id)
      : null;
  const since = signedUpAt?.toISOString() ?? referral.created_at;
  // Counting purchases costs a query; the first one that meets the rule needs none.
  const countingPurchases = counts
    ? await countPurchasesSince(db, event.customer_external_id, since, rule.min_order)
    : 1;
  const boughtBefore =
    rule.new_customers_only && (await hasPurchasedBefore(db, event.customer_external_id, since));
  return [
    { status: referral.status, expiresAt: new Date(referral.expires_at), signedUpAt },
    {
      type: event.type === 'custom' ? 'custom' : 'purchase',
      name: event.name,
      occurredAt: ctx.at,
      order,
      countingPurchases,
      boughtBefore,
    },
  ];
}

/**
 * A purchase or a custom event: it qualifies the customer's pending referrals whose rules it meets
 * (by default the first purchase within the window), each under the rules version it was made with.
 */
export async function ingestQualifyingEvent(ctx: IngestContext): Promise<Ingested> {
  const { db, event } = ctx;
  if (event.type === 'purchase') await lockPurchase(ctx, event.external_id);
  await rememberPurchaser(ctx);
  const pending = await findPendingReferralsOfCustomer(db, event.customer_external_id, event.program_id);
  const programId = event.program_id ?? pending[0]?.program_id ?? null;
  if (pending.length === 0) {
    return { programId, result: result('not_qualified', { reason: 'no_pending_referral' }) };
  }
  // A custom event may carry no amount: it then has no order for a share to be paid on.
  const order =
    event.amount !== null && event.currency !== null
      ? { amount: event.amount, currency: event.currency }
      : null;
  const qualified: string[] = [];
  const rewardIds: string[] = [];
  let reason = 'already_qualified';
  for (const referral of pending) {
    const rules = normalizeRules(JSON.parse(referral.program_rules));
    const [pendingReferral, qualifying] = await decisionInput(ctx, referral, rules.qualification, order);
    const decision = decideQualification(pendingReferral, rules.qualification, qualifying);
    if (decision.outcome === 'expire') {
      if (await transitionPendingReferral(db, referral.id, { status: 'expired' })) reason = decision.reason;
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
  if (event.type === 'purchase') await clawBackEarlierRefunds(ctx);
  return {
    programId,
    result: result('referral_qualified', { referral_ids: qualified, reward_ids: rewardIds }),
  };
}
