import {
  type ClusterRule,
  evaluateQualification,
  evaluateSignup,
  type FraudOutcome,
  type FraudSettings,
  type FraudSignal,
  fraudOutcome,
} from '../../domain/fraud.ts';
import { peakAround, windowAround } from '../../domain/fraud-windows.ts';
import { normalizeEmail, sequenceStem, seriesMembers } from '../../domain/identity.ts';
import { newId } from '../../lib/ids.ts';
import type { InTransaction } from '../../store/executor.ts';
import { lockNames, lockRow } from '../../store/locks.ts';
import { insertReviewIfNoneOpen, insertSignals } from '../../store/repositories/fraud.ts';
import {
  measureSignup,
  programActivity,
  refereesNear,
  referralsInWindow,
  referrerOf,
  type WindowOf,
} from '../../store/repositories/fraud-facts.ts';
import { findParticipantsSharing } from '../../store/repositories/identities.ts';
import type { ReferralRow } from '../../store/repositories/referrals.ts';
import { audit } from '../audit.ts';
import type { IdentityKeys } from '../identity/identity-keys.ts';
import { emit, type IngestContext } from '../ingest/ingest-context.ts';
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
 * The program's referrals per active referrer over the velocity window either side of the
 * sign-up, leaving this referrer out. The program's totals are a statistic, cached for a minute per
 * program and minute of event time: counting a busy program on every sign-up would not scale. This
 * referrer's own count (over the same window) is exact and taken out of them.
 */
async function programNorm(
  ctx: IngestContext,
  screening: Screening,
  s: SignupScreen,
  window: { from: string; to: string },
  own: number,
) {
  const eventMinute = Math.floor(ctx.at.getTime() / NORM_TTL_MS);
  let totals = screening.norms.get(s.programId);
  if (!totals || totals.eventMinute !== eventMinute || ctx.now.getTime() - totals.at >= NORM_TTL_MS) {
    const activity = await programActivity(ctx.db, s.programId, window.from, window.to);
    totals = { at: ctx.now.getTime(), eventMinute, ...activity };
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
async function findRing(db: InTransaction, s: SignupScreen, referredBy: string | null, maxDepth: number) {
  const path = [s.referrerId];
  for (let up = referredBy; up !== null && !path.includes(up) && path.length < maxDepth; ) {
    path.push(up);
    if (s.refereeIds.includes(up)) return path;
    up = await referrerOf(db, s.programId, up);
  }
  return null;
}

/** A cluster a sign-up completed: the other referrals in it, which get the signal too. */
export interface Cluster {
  rule: ClusterRule;
  memberIds: string[];
}

/**
 * The others in the busiest window holding the sign-up, as counted for a rule. `upTo` (the count
 * over the window either side, from the one statement) bounds it, so the referrals themselves are
 * read only once that could reach the rule's threshold.
 */
async function busiestWindow(
  ctx: IngestContext,
  upTo: number,
  threshold: number,
  hours: number,
  of: WindowOf,
): Promise<{ count: number; members: string[] }> {
  if (upTo < threshold) return { count: upTo, members: [] };
  const { from, to } = windowAround(ctx.at, hours);
  const rows = await referralsInWindow(ctx.db, of, from, to);
  const timed = rows.map((row) => ({ id: row.id, at: Date.parse(row.signed_up_at) }));
  return peakAround(ctx.at.getTime(), timed, hours * HOUR_MS);
}

/**
 * Measures what the enabled sign-up rules compare, and evaluates them. Every window is in event
 * time (`ctx.at`: the sign-up's occurred_at, else when it was received), so a backfill of past
 * weeks is judged as if it had come live.
 */
export async function screenSignup(ctx: IngestContext, screening: Screening, s: SignupScreen) {
  const { db, at } = ctx;
  const { rules } = s.settings;
  const { keys } = s;
  const when = (on: boolean, hash: string | null) => (on ? hash : null);
  const ipHash = when(rules.bulk_ip.enabled, keys.ipHash);
  const subnetHash = when(rules.bulk_subnet.enabled, keys.subnetHash);
  // Counting other referrals and then adding one must not interleave (PostgreSQL): sign-ups of
  // one referrer, and of one network in the program, are screened one at a time.
  await lockRow(db, 'participants', s.referrerId);
  await lockNames(
    db,
    [ipHash && `ip:${s.programId}:${ipHash}`, subnetHash && `subnet:${s.programId}:${subnetHash}`].filter(
      (name): name is string => name !== null,
    ),
  );
  const ipWindow = windowAround(at, rules.bulk_ip.window_hours);
  const subnetWindow = windowAround(at, rules.bulk_subnet.window_hours);
  const recentWindow = windowAround(at, rules.velocity.window_hours);
  const inactiveWindow = windowAround(at, rules.burst_inactive.window_hours);
  const ipUaWindow = windowAround(at, rules.self_referral_ip.window_hours);
  const measures = await measureSignup(db, {
    programId: s.programId,
    referrerId: s.referrerId,
    ipHash,
    ipFrom: ipWindow.from,
    ipTo: ipWindow.to,
    subnetHash,
    subnetFrom: subnetWindow.from,
    subnetTo: subnetWindow.to,
    recentFrom: recentWindow.from,
    recentTo: recentWindow.to,
    inactiveFrom: inactiveWindow.from,
    inactiveTo: inactiveWindow.to,
    deviceHash: when(rules.self_referral_device.enabled, keys.deviceHash),
    ipUaHash: when(rules.self_referral_ip.enabled, keys.ipUaHash),
    ipUaFrom: ipUaWindow.from,
    ipUaTo: ipUaWindow.to,
  });
  const { bulk_ip, bulk_subnet, velocity, burst_inactive } = rules;
  const sameIp = ipHash
    ? await busiestWindow(ctx, measures.same_ip, bulk_ip.max_signups, bulk_ip.window_hours, {
        column: 'signup_ip_hash',
        programId: s.programId,
        hash: ipHash,
      })
    : null;
  const sameSubnet = subnetHash
    ? await busiestWindow(ctx, measures.same_subnet, bulk_subnet.max_signups, bulk_subnet.window_hours, {
        column: 'signup_subnet_hash',
        programId: s.programId,
        hash: subnetHash,
      })
    : null;
  const byReferrer = (pendingOnly: boolean) => ({
    column: 'referrer_id' as const,
    referrerId: s.referrerId,
    pendingOnly,
  });
  const referrerRecent = velocity.enabled
    ? await busiestWindow(
        ctx,
        measures.referrer_recent,
        velocity.min_referrals,
        velocity.window_hours,
        byReferrer(false),
      )
    : { count: 0, members: [] };
  const inactive = burst_inactive.enabled
    ? await busiestWindow(
        ctx,
        measures.referrer_inactive,
        burst_inactive.max_inactive,
        burst_inactive.window_hours,
        byReferrer(true),
      )
    : { count: 0, members: [] };
  // The program-wide norm matters only once the referrer is past the absolute floor.
  const norm =
    referrerRecent.count >= velocity.min_referrals
      ? await programNorm(ctx, screening, s, recentWindow, measures.referrer_recent)
      : { referrals: 0, referrers: 0 };
  const email = keys.email;
  // Only a local part ending in a number can continue a numbered series.
  const series = rules.synthetic_identity.enabled && email !== null && sequenceStem(email.local) !== null;
  const near = series
    ? (await refereesNear(db, s.referrerId, at)).flatMap((r) => {
        const local = normalizeEmail(r.email)?.local;
        return local === undefined || local === email?.local ? [] : [{ id: r.referral_id, local }];
      })
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
      sameIpReferrals: keys.ipHash ? (sameIp?.count ?? 0) : null,
      sameSubnetReferrals: keys.subnetHash ? (sameSubnet?.count ?? 0) : null,
      recentRefereeLocals: near.map((r) => r.local),
      referrerInactiveRecent: inactive.count,
      ring,
      referrerRecentReferrals: referrerRecent.count,
      programRecentReferrals: norm.referrals,
      programRecentReferrers: norm.referrers,
      at,
    },
    s.settings,
  );
  const seriesLocals = email
    ? new Set(
        seriesMembers(
          email.local,
          near.map((r) => r.local),
        ),
      )
    : new Set();
  const members: Record<ClusterRule, string[]> = {
    bulk_ip: sameIp?.members ?? [],
    bulk_subnet: sameSubnet?.members ?? [],
    velocity: referrerRecent.members,
    burst_inactive: inactive.members,
    synthetic_identity: near.filter((r) => seriesLocals.has(r.local)).map((r) => r.id),
  };
  const clusters = signals.flatMap((signal) =>
    signal.rule in members && members[signal.rule as ClusterRule].length > 0
      ? [{ rule: signal.rule as ClusterRule, memberIds: members[signal.rule as ClusterRule] }]
      : [],
  );
  return { ...screenResult(signals, s.settings), clusters };
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
