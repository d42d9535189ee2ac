import {
  type AttributionTrail,
  chooseTouch,
  decideAttribution,
  noTouchReason,
} from '../../domain/attribution.ts';
import { decideQualification } from '../../domain/qualification.ts';
import { normalizeRules } from '../../domain/reward-rules.ts';
import { newId } from '../../lib/ids.ts';
import { hasPurchasedBefore } from '../../store/repositories/events.ts';
import { findParticipantByExternalId, type ParticipantRow } from '../../store/repositories/participants.ts';
import {
  findReferralForReferees,
  insertReferralIfAbsent,
  type ReferralRow,
  rejectPendingReferral,
} from '../../store/repositories/referrals.ts';
import { recordScreening, screenSignup } from '../fraud/screen-referral.ts';
import { observeParticipant } from '../identity/identities.ts';
import { storedIdentities } from '../identity/identity-keys.ts';
import { createParticipant } from '../participants/participants.ts';
import { fraudSettingsOf } from '../programs/programs.ts';
import { type GatheredTouch, gatherTouches, type ReferralHint } from './gather-touches.ts';
import { type EventResult, emit, type IngestContext, type Ingested, result } from './ingest-context.ts';
import { qualifyReferral } from './qualify-referral.ts';
import { reachBack } from './reach-back.ts';

/** The customer's participant record in the program, enrolled now if new, with its identities. */
async function enrolCustomer(ctx: IngestContext, programId: string) {
  const { db, event } = ctx;
  let participant: ParticipantRow | undefined = await findParticipantByExternalId(
    db,
    programId,
    event.customer_external_id,
  );
  const known = participant !== undefined;
  if (!participant) {
    const input = {
      program_id: programId,
      external_id: event.customer_external_id,
      email: ctx.email,
    };
    participant = (await createParticipant(db, input, ctx.now, ctx.outbox)).participant;
  }
  const linkedIds = await observeParticipant(db, participant, storedIdentities(ctx.keys), ctx.at);
  return { participant, known, linkedIds };
}

/**
 * A sign-up: the customer becomes a participant of the program, and a referral links them to the
 * referrer of the touch that attribution credits, unless fraud rules block it.
 */
export async function ingestSignup(ctx: IngestContext, hint: ReferralHint | undefined): Promise<Ingested> {
  const { db, event } = ctx;
  const touches = await gatherTouches(db, hint, ctx.keys, event.program_id);
  const { chosen, trail } = chooseTouch(touches, ctx.at, event.program_id);
  if (!chosen) {
    const programId = event.program_id ?? touches[0]?.program.id ?? null;
    if (programId) await enrolCustomer(ctx, programId);
    const reason = noTouchReason(trail);
    return { programId, result: result('no_referral', reason ? { reason } : {}) };
  }
  const programId = chosen.program.id;
  const referee = await enrolCustomer(ctx, programId);
  const refereeIds = [referee.participant.id, ...referee.linkedIds];
  const alreadyReferred =
    referee.known || referee.linkedIds.length > 0
      ? (await findReferralForReferees(db, programId, refereeIds)) !== undefined
      : false;
  const decision = decideAttribution(chosen, {
    customerExternalId: event.customer_external_id,
    customerEmail: ctx.email,
    occurredAt: ctx.at,
    linkedToReferrer: referee.linkedIds.includes(chosen.referrer.id),
    alreadyReferred,
  });
  if (decision.outcome === 'ignored') {
    return { programId, result: result('no_referral', { reason: decision.reason }) };
  }

  // A self-referral is rejected as such; only a referral about to be made is screened for fraud.
  const fraudSettings = fraudSettingsOf(chosen.stored.fraud_settings);
  const screen =
    decision.outcome === 'create'
      ? await screenSignup(ctx, ctx.screening, {
          programId,
          referrerId: chosen.referrer.id,
          refereeIds,
          keys: ctx.keys,
          settings: fraudSettings,
        })
      : { signals: [], score: 0, outcome: 'allow' as const, clusters: [] };
  const blocked = screen.outcome === 'block';
  const rejectionReason = decision.outcome === 'rejected' ? decision.reason : blocked ? 'fraud' : null;
  const referral = referralRow(ctx, chosen, trail, referee.participant.id, rejectionReason, screen);
  if (decision.outcome === 'create') referral.expires_at = decision.expiresAt.toISOString();
  if (!(await insertReferralIfAbsent(db, referral))) {
    // Another sign-up of the same person (same record or same email) won the race.
    return { programId, result: result('no_referral', { reason: 'already_referred' }) };
  }
  await recordScreening(ctx, referral, 'signup', screen);
  // A cluster found only now reaches back to its earlier members that nothing has paid yet.
  await reachBack(ctx, referral, screen.clusters, fraudSettings);
  if (rejectionReason) {
    emit(ctx, 'referral.rejected', { referral_id: referral.id, reason: rejectionReason });
    const rejected = result('referral_rejected', { reason: rejectionReason, referral_ids: [referral.id] });
    return { programId, result: rejected };
  }
  emit(ctx, 'referral.created', { referral_id: referral.id });
  const rules = normalizeRules(JSON.parse(chosen.stored.program_rules));
  if (rules.qualification.event === 'signup') {
    const program = { rules, holdDays: chosen.stored.reward_hold_days };
    return { programId, result: await qualifyAtSignup(ctx, referral, program) };
  }
  return { programId, result: result('referral_created', { referral_ids: [referral.id] }) };
}

function referralRow(
  ctx: IngestContext,
  touch: GatheredTouch,
  trail: AttributionTrail,
  refereeId: string,
  rejectionReason: string | null,
  screen: Awaited<ReturnType<typeof screenSignup>>,
): ReferralRow {
  return {
    id: newId('ref', ctx.now.getTime()),
    program_id: touch.program.id,
    referrer_id: touch.referrer.id,
    referee_id: refereeId,
    status: rejectionReason ? 'rejected' : 'pending',
    rejection_reason: rejectionReason,
    attribution_method: touch.source,
    code: touch.code,
    click_id: touch.clickId,
    signup_event_id: ctx.event.id,
    qualifying_event_id: null,
    created_at: ctx.now.toISOString(),
    expires_at: ctx.at.toISOString(),
    qualified_at: null,
    rules_version: touch.stored.rules_version,
    unrewarded_reason: null,
    attribution: JSON.stringify(trail),
    referee_email_hash: ctx.keys.emailHash,
    signup_ip_hash: ctx.keys.ipHash,
    signup_subnet_hash: ctx.keys.subnetHash,
    fraud_outcome: screen.outcome,
    fraud_score: screen.score,
    signed_up_at: ctx.at.toISOString(),
  };
}

/** In a program whose sign-ups qualify, the new referral qualifies (or is rejected) at once. */
async function qualifyAtSignup(
  ctx: IngestContext,
  referral: ReferralRow,
  program: { rules: ReturnType<typeof normalizeRules>; holdDays: number },
): Promise<EventResult> {
  const rule = program.rules.qualification;
  const boughtBefore =
    rule.new_customers_only &&
    (await hasPurchasedBefore(ctx.db, ctx.event.customer_external_id, referral.created_at));
  const decision = decideQualification(
    { status: 'pending', expiresAt: new Date(referral.expires_at), signedUpAt: ctx.at },
    rule,
    { type: 'signup', name: null, occurredAt: ctx.at, order: null, countingPurchases: 0, boughtBefore },
  );
  const referralIds = [referral.id];
  if (decision.outcome === 'reject') {
    await rejectPendingReferral(ctx.db, referral.id, decision.reason);
    emit(ctx, 'referral.rejected', { referral_id: referral.id, reason: decision.reason });
    return result('referral_rejected', { reason: decision.reason, referral_ids: referralIds });
  }
  const qualifying = { ...referral, rules: program.rules, holdDays: program.holdDays };
  const rewardIds = decision.outcome === 'qualify' ? await qualifyReferral(ctx, qualifying, null) : null;
  if (!rewardIds) return result('referral_created', { referral_ids: referralIds });
  return result('referral_qualified', { referral_ids: referralIds, reward_ids: rewardIds });
}
