import {
  evaluateQualification,
  evaluateSignup,
  type FraudOutcome,
  type FraudSettings,
  type FraudSignal,
  fraudOutcome,
} from '../domain/fraud.ts';
import { normalizeEmail, sequenceStem } from '../domain/identity.ts';
import { idFloor, newId } from '../lib/ids.ts';
import type { Executor } from '../store/executor.ts';
import { lockNames, lockRow } from '../store/locks.ts';
import { insertReviewIfNoneOpen, insertSignals } from '../store/repositories/fraud.ts';
import {
  measureSignup,
  programActivity,
  recentRefereeEmails,
  referrerOf,
} from '../store/repositories/fraud-facts.ts';
import { findParticipantsSharing } from '../store/repositories/identities.ts';
import type { ReferralRow } from '../store/repositories/referrals.ts';
import { audit } from './audit.ts';
import type { IdentityKeys } from './identity-keys.ts';
import { emit, type IngestContext } from './ingest-context.ts';
import type { Screening } from './screening.ts';

const HOUR_MS = 3_600_000;
const NORM_TTL_MS = 60_000;

export interface SignupScreen {
  programId: string;
  referrerId: string;
  /** The referee's record and those linked to it: a ring returns to one of them. */
  refereeIds: readonly string[];
  keys: IdentityKeys;
  settings: FraudSettings;
}

/**
 * The program's referrals per active referrer over the velocity window, leaving this referrer out.
 * The program's totals are a statistic, cached for a minute per program: counting a busy program
 * on every sign-up would not scale. This referrer's own count is exact and taken out of them.
 */
async function programNorm(
  ctx: IngestContext,
  screening: Screening,
  s: SignupScreen,
  since: string,
  own: number,
) {
  let totals = screening.norms.get(s.programId);
  if (!totals || ctx.now.getTime() - totals.at >= NORM_TTL_MS) {
    totals = { at: ctx.now.getTime(), ...(await programActivity(ctx.db, s.programId, since)) };
    screening.norms.set(s.programId, totals);
  }
  return {
    referrals: Math.max(0, totals.referrals - own),
    referrers: Math.max(0, totals.referrers - (own > 0 ? 1 : 0)),
  };
}

/**
 * Walks up who-referred-whom from the referrer, whose own referrer is known already; the path when
 * it comes back to the referee.
 */
async function findRing(db: Executor, s: SignupScreen, referredBy: string | null, maxDepth: number) {
  const path = [s.referrerId];
  for (let up = referredBy; up !== null && !path.includes(up) && path.length < maxDepth; ) {
    path.push(up);
    if (s.refereeIds.includes(up)) return path;
    up = await referrerOf(db, s.programId, up);
  }
  return null;
}

/** Measures what the enabled sign-up rules compare, and evaluates them. */
export async function screenSignup(ctx: IngestContext, screening: Screening, s: SignupScreen) {
  const { db, now } = ctx;
  const { rules } = s.settings;
  const since = (hours: number) => new Date(now.getTime() - hours * HOUR_MS);
  const { keys } = s;
  const when = (on: boolean, hash: string | null) => (on ? hash : null);
  const ipHash = when(rules.bulk_ip.enabled, keys.ipHash);
  const subnetHash = when(rules.bulk_subnet.enabled, keys.subnetHash);
  // Counting earlier referrals and then adding one must not interleave (PostgreSQL): sign-ups of
  // one referrer, and of one network in the program, are screened one at a time.
  await lockRow(db, 'participants', s.referrerId);
  await lockNames(
    db,
    [ipHash && `ip:${s.programId}:${ipHash}`, subnetHash && `subnet:${s.programId}:${subnetHash}`].filter(
      (name): name is string => name !== null,
    ),
  );
  const measures = await measureSignup(db, {
    programId: s.programId,
    referrerId: s.referrerId,
    ipHash,
    ipSince: since(rules.bulk_ip.window_hours).toISOString(),
    subnetHash,
    subnetSince: since(rules.bulk_subnet.window_hours).toISOString(),
    recentSinceId: idFloor('ref', since(rules.velocity.window_hours).getTime()),
    inactiveSinceId: idFloor('ref', since(rules.burst_inactive.window_hours).getTime()),
    deviceHash: when(rules.self_referral_device.enabled, keys.deviceHash),
    ipUaHash: when(rules.self_referral_ip.enabled, keys.ipUaHash),
  });
  const referrerRecent = rules.velocity.enabled ? measures.referrer_recent : 0;
  // The program-wide norm matters only once the referrer is past the absolute floor.
  const norm =
    referrerRecent >= rules.velocity.min_referrals
      ? await programNorm(ctx, screening, s, since(rules.velocity.window_hours).toISOString(), referrerRecent)
      : { referrals: 0, referrers: 0 };
  const email = keys.email;
  // Only a local part ending in a number can continue a numbered series.
  const series = rules.synthetic_identity.enabled && email !== null && sequenceStem(email.local) !== null;
  const recentLocals = series
    ? (await recentRefereeEmails(db, s.referrerId)).flatMap((e) => normalizeEmail(e)?.local ?? [])
    : [];
  const ring = rules.referral_ring.enabled
    ? await findRing(db, s, measures.referred_by, rules.referral_ring.max_depth)
    : null;
  const signals = evaluateSignup(
    {
      refereeEmail: email && { local: email.local, domain: email.domain },
      disposableDomain: email !== null && screening.isDisposable(email.domain),
      deviceSharedWithReferrer: measures.device_seen_at !== null,
      referrerSeenOnSameIpUaAt: measures.ip_ua_seen_at ? new Date(measures.ip_ua_seen_at) : null,
      sameIpReferrals: keys.ipHash ? measures.same_ip : null,
      sameSubnetReferrals: keys.subnetHash ? measures.same_subnet : null,
      recentRefereeLocals: recentLocals.filter((local) => local !== email?.local),
      referrerInactiveRecent: measures.referrer_inactive,
      ring,
      referrerRecentReferrals: referrerRecent,
      programRecentReferrals: norm.referrals,
      programRecentReferrers: norm.referrers,
      at: ctx.at,
    },
    s.settings,
  );
  return screenResult(signals, s.settings);
}

export interface Screen {
  signals: FraudSignal[];
  /** The referral's total score, earlier stages included. */
  score: number;
  outcome: FraudOutcome;
}

function screenResult(signals: FraudSignal[], settings: FraudSettings, priorScore = 0): Screen {
  const score = signals.reduce((sum, signal) => sum + signal.score, priorScore);
  return { signals, score, outcome: fraudOutcome(signals, settings, priorScore) };
}

/**
 * At qualification: whether the referee paid with a card the referrer or another referee used.
 * Its signals add to the referral's score from sign-up.
 */
export async function screenQualification(
  ctx: IngestContext,
  referral: Pick<ReferralRow, 'program_id' | 'referrer_id' | 'referee_id' | 'fraud_score'>,
  paymentHash: string | null,
  settings: FraudSettings,
) {
  let sharedWith: 'referrer' | 'other_referee' | null = null;
  if (paymentHash && settings.rules.shared_payment.enabled) {
    const others = await findParticipantsSharing(ctx.db, referral.program_id, referral.referee_id, [
      { kind: 'payment', hash: paymentHash },
    ]);
    if (others.some((o) => o.participant_id === referral.referrer_id)) sharedWith = 'referrer';
    else if (others.length > 0) sharedWith = 'other_referee';
  }
  const signals = evaluateQualification({ paymentSharedWith: sharedWith }, settings);
  return screenResult(signals, settings, referral.fraud_score);
}

/**
 * Stores a referral's signals and, when they call for review, opens one (unless open already):
 * its rewards then wait for an admin, whatever their hold.
 */
export async function recordScreening(
  ctx: IngestContext,
  referral: Pick<ReferralRow, 'id' | 'program_id'>,
  stage: FraudSignal['stage'],
  screen: Screen,
): Promise<void> {
  const at = ctx.now.toISOString();
  await insertSignals(
    ctx.db,
    screen.signals.map((signal) => ({
      id: newId('sig', ctx.now.getTime()),
      referral_id: referral.id,
      program_id: referral.program_id,
      rule: signal.rule,
      stage: signal.stage,
      score: signal.score,
      reason: signal.reason,
      created_at: at,
    })),
  );
  if (screen.outcome !== 'review') return;
  const review = {
    id: newId('rev', ctx.now.getTime()),
    program_id: referral.program_id,
    referral_id: referral.id,
    status: 'open' as const,
    stage,
    score: screen.score,
    opened_at: at,
    decided_at: null,
    decided_by: null,
    note: null,
  };
  if (!(await insertReviewIfNoneOpen(ctx.db, review))) return;
  emit(ctx, 'fraud.review_opened', { review_id: review.id, referral_id: referral.id, stage });
  const details = { referral_id: referral.id, stage, score: review.score };
  await audit(ctx.db, ctx.actor, ctx.now, [{ action: 'review.opened', subjectId: review.id, details }]);
}
