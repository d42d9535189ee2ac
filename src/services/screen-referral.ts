import {
  evaluateQualification,
  evaluateSignup,
  type FraudOutcome,
  type FraudSettings,
  type FraudSignal,
  fraudOutcome,
  resolveFraudSettings,
} from '../domain/fraud.ts';
import { normalizeEmail, sequenceStem } from '../domain/identity.ts';
import { idFloor, newId } from '../lib/ids.ts';
import type { Executor } from '../store/executor.ts';
import { insertReviewIfNoneOpen, insertSignals } from '../store/repositories/fraud.ts';
import {
  countReferralsFromNetwork,
  countReferrerReferrals,
  programActivity,
  recentRefereeEmails,
  referrerOf,
} from '../store/repositories/fraud-facts.ts';
import { findParticipantsSharing, lastSeenWith } from '../store/repositories/identities.ts';
import type { ReferralRow } from '../store/repositories/referrals.ts';
import { audit } from './audit.ts';
import type { IdentityKeys } from './identity-keys.ts';
import { emit, type IngestContext } from './ingest-context.ts';
import type { Screening } from './screening.ts';

const HOUR_MS = 3_600_000;
const NORM_TTL_MS = 60_000;

export function fraudSettingsOf(stored: string): FraudSettings {
  return resolveFraudSettings(JSON.parse(stored));
}

export interface SignupScreen {
  programId: string;
  referrerId: string;
  refereeId: string;
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

/** Walks up who-referred-whom from the referrer; the path when it comes back to the referee. */
async function findRing(db: Executor, s: SignupScreen, maxDepth: number): Promise<string[] | null> {
  const path = [s.referrerId];
  for (let depth = 1; depth < maxDepth; depth++) {
    const up = await referrerOf(db, s.programId, path[path.length - 1] as string);
    if (up === null || path.includes(up)) return null;
    path.push(up);
    if (s.refereeIds.includes(up)) return path;
  }
  return null;
}

/** Measures what the enabled sign-up rules compare, and evaluates them. */
export async function screenSignup(ctx: IngestContext, screening: Screening, s: SignupScreen) {
  const { db, now } = ctx;
  const { rules } = s.settings;
  const since = (hours: number) => new Date(now.getTime() - hours * HOUR_MS);
  const { keys } = s;
  const seen = async (kind: 'device' | 'ip_ua', hash: string | null) =>
    hash ? lastSeenWith(db, s.referrerId, kind, hash) : null;
  const network = async (kind: 'ip' | 'subnet', hash: string | null, hours: number) => {
    if (!hash) return null;
    return countReferralsFromNetwork(db, kind, {
      programId: s.programId,
      hash,
      since: since(hours).toISOString(),
    });
  };
  const referrerSince = (hours: number) => ({
    referrerId: s.referrerId,
    sinceId: idFloor('ref', since(hours).getTime()),
  });

  const referrerRecent = rules.velocity.enabled
    ? await countReferrerReferrals(db, referrerSince(rules.velocity.window_hours), false)
    : 0;
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
  const ipUaSeen = rules.self_referral_ip.enabled ? await seen('ip_ua', keys.ipUaHash) : null;
  const signals = evaluateSignup(
    {
      refereeEmail: email && { local: email.local, domain: email.domain },
      disposableDomain: email !== null && screening.isDisposable(email.domain),
      deviceSharedWithReferrer:
        rules.self_referral_device.enabled && (await seen('device', keys.deviceHash)) !== null,
      referrerSeenOnSameIpUaAt: ipUaSeen ? new Date(ipUaSeen) : null,
      sameIpReferrals: rules.bulk_ip.enabled
        ? await network('ip', keys.ipHash, rules.bulk_ip.window_hours)
        : null,
      sameSubnetReferrals: rules.bulk_subnet.enabled
        ? await network('subnet', keys.subnetHash, rules.bulk_subnet.window_hours)
        : null,
      recentRefereeLocals: recentLocals.filter((local) => local !== email?.local),
      referrerInactiveRecent: rules.burst_inactive.enabled
        ? await countReferrerReferrals(db, referrerSince(rules.burst_inactive.window_hours), true)
        : 0,
      ring: rules.referral_ring.enabled ? await findRing(db, s, rules.referral_ring.max_depth) : null,
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
