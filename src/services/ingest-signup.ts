import { decideAttribution } from '../domain/attribution.ts';
import { decideQualification } from '../domain/qualification.ts';
import { AppError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { hasPurchasedBefore } from '../store/repositories/events.ts';
import { findParticipantByExternalId, type ParticipantRow } from '../store/repositories/participants.ts';
import {
  findReferralForReferee,
  insertReferralIfAbsent,
  type ReferralRow,
  rejectPendingReferral,
} from '../store/repositories/referrals.ts';
import { type EventResult, emit, type IngestContext, type Ingested, result } from './ingest-context.ts';
import { createParticipant } from './participants.ts';
import { qualifyReferral } from './qualify-referral.ts';
import { type ReferralHint, type ResolvedTouch, resolveTouch } from './resolve-touch.ts';

async function findOrEnrolCustomer(ctx: IngestContext, programId: string, known?: ParticipantRow) {
  if (known) return known;
  const { event } = ctx;
  const input = {
    program_id: programId,
    external_id: event.customer_external_id,
    email: event.customer_email,
  };
  return (await createParticipant(ctx.db, input, ctx.now, ctx.outbox)).participant;
}

/**
 * A sign-up: the customer becomes a participant of the program, and a referral links them to the
 * referrer when the touch they carry attributes.
 */
export async function ingestSignup(ctx: IngestContext, hint: ReferralHint | undefined): Promise<Ingested> {
  const { db, event } = ctx;
  const touch = hint ? await resolveTouch(db, hint) : null;
  if (!touch) {
    if (event.program_id) {
      const known = await findParticipantByExternalId(db, event.program_id, event.customer_external_id);
      await findOrEnrolCustomer(ctx, event.program_id, known);
    }
    return { programId: event.program_id, result: result('no_referral') };
  }
  const program = touch.program;
  if (event.program_id && event.program_id !== program.id) {
    const param = touch.method === 'click' ? 'referral.click_id' : 'referral.code';
    throw new AppError(
      'program_mismatch',
      `The referral belongs to another program than ${event.program_id}.`,
      param,
    );
  }
  const known = await findParticipantByExternalId(db, program.id, event.customer_external_id);
  const alreadyReferred = known
    ? (await findReferralForReferee(db, program.id, known.id)) !== undefined
    : false;
  const decision = decideAttribution(touch, {
    customerExternalId: event.customer_external_id,
    customerEmail: event.customer_email,
    occurredAt: ctx.at,
    windowDays: program.windowDays,
    programActive: program.status === 'active',
    alreadyReferred,
  });
  const referee = await findOrEnrolCustomer(ctx, program.id, known);
  if (decision.outcome === 'ignored') {
    return { programId: program.id, result: result('no_referral', { reason: decision.reason }) };
  }

  const referral: ReferralRow = {
    id: newId('ref'),
    program_id: program.id,
    referrer_id: touch.referrer.id,
    referee_id: referee.id,
    status: decision.outcome === 'create' ? 'pending' : 'rejected',
    rejection_reason: decision.outcome === 'rejected' ? decision.reason : null,
    attribution_method: touch.method,
    code: touch.code,
    click_id: touch.clickId,
    signup_event_id: event.id,
    qualifying_event_id: null,
    created_at: ctx.now.toISOString(),
    expires_at: (decision.outcome === 'create' ? decision.expiresAt : ctx.at).toISOString(),
    qualified_at: null,
    rules_version: program.rulesVersion,
    unrewarded_reason: null,
  };
  if (!(await insertReferralIfAbsent(db, referral))) {
    // Another sign-up for the same person won the race; it holds the one referral.
    return { programId: program.id, result: result('no_referral', { reason: 'already_referred' }) };
  }
  if (decision.outcome === 'rejected') {
    emit(ctx, 'referral.rejected', { referral_id: referral.id, reason: decision.reason });
    const rejected = result('referral_rejected', { reason: decision.reason, referral_ids: [referral.id] });
    return { programId: program.id, result: rejected };
  }
  emit(ctx, 'referral.created', { referral_id: referral.id });
  const referralIds = [referral.id];
  if (program.rules.qualification.event === 'signup') {
    return { programId: program.id, result: await qualifyAtSignup(ctx, referral, program) };
  }
  return { programId: program.id, result: result('referral_created', { referral_ids: referralIds }) };
}

/** In a program whose sign-ups qualify, the new referral qualifies (or is rejected) at once. */
async function qualifyAtSignup(
  ctx: IngestContext,
  referral: ReferralRow,
  program: ResolvedTouch['program'],
): Promise<EventResult> {
  const rule = program.rules.qualification;
  const boughtBefore =
    rule.new_customers_only &&
    (await hasPurchasedBefore(ctx.db, ctx.event.customer_external_id, referral.created_at));
  const decision = decideQualification(
    { status: 'pending', expiresAt: new Date(referral.expires_at) },
    rule,
    { type: 'signup', occurredAt: ctx.at, order: null, countingPurchases: 0, boughtBefore },
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
