import { type FraudSettings, fraudOutcome } from '../domain/fraud.ts';
import { newId } from '../lib/ids.ts';
import {
  findReachable,
  insertReviewIfNoneOpen,
  insertSignals,
  raiseFraudScore,
} from '../store/repositories/fraud.ts';
import { type AuditEntry, audit } from './audit.ts';
import { emit, type IngestContext } from './ingest-context.ts';
import type { Cluster, ClusterRule } from './screen-referral.ts';

// A cluster rule sees a farm only at its Nth member, so the first members passed. When the rule
// fires, they get its signal too, named for the cluster and the sign-up that found it.
const CLUSTER_NAMES: Record<ClusterRule, (settings: FraudSettings['rules']) => string> = {
  bulk_ip: (r) =>
    `sign-ups from one IP address, more than ${r.bulk_ip.max_signups} in ${r.bulk_ip.window_hours} h`,
  bulk_subnet: (r) =>
    `sign-ups from one subnet, more than ${r.bulk_subnet.max_signups} in ${r.bulk_subnet.window_hours} h`,
  burst_inactive: (r) =>
    `this referrer's referrals with no purchase, more than ${r.burst_inactive.max_inactive} in ${r.burst_inactive.window_hours} h`,
  synthetic_identity: () => "a numbered series of email addresses among the referrer's referees",
  velocity: (r) =>
    `this referrer's referrals, ${r.velocity.min_referrals} or more in ${r.velocity.window_hours} h`,
};

/**
 * Gives each cluster's other referrals that nothing has paid yet the signal that fired on
 * `foundBy`, once per rule. A referral whose score then reaches review_score is held for review
 * (its rewards wait); a late finding never blocks, since an admin may have to undo it.
 */
export async function reachBack(
  ctx: IngestContext,
  foundBy: { id: string },
  clusters: readonly Cluster[],
  settings: FraudSettings,
): Promise<void> {
  for (const cluster of clusters) {
    const score = settings.rules[cluster.rule].score;
    const reason = `Part of a cluster found at referral ${foundBy.id}: ${CLUSTER_NAMES[cluster.rule](settings.rules)}.`;
    for (const member of await findReachable(ctx.db, cluster.memberIds, cluster.rule)) {
      const total = member.fraud_score + score;
      const held = fraudOutcome([], settings, total) !== 'allow';
      await insertSignals(ctx.db, [
        {
          id: newId('sig', ctx.now.getTime()),
          referral_id: member.id,
          program_id: member.program_id,
          rule: cluster.rule,
          stage: 'signup',
          score,
          reason,
          created_at: ctx.now.toISOString(),
        },
      ]);
      await raiseFraudScore(ctx.db, member.id, score, held);
      const details = { rule: cluster.rule, score, reason, found_by: foundBy.id };
      const entries: AuditEntry[] = [{ action: 'fraud_signal.added', subjectId: member.id, details }];
      if (held) {
        const review = {
          id: newId('rev', ctx.now.getTime()),
          program_id: member.program_id,
          referral_id: member.id,
          status: 'open' as const,
          stage: 'signup' as const,
          score: total,
          opened_at: ctx.now.toISOString(),
          decided_at: null,
          decided_by: null,
          note: null,
        };
        if (await insertReviewIfNoneOpen(ctx.db, review)) {
          emit(ctx, 'fraud.review_opened', { review_id: review.id, referral_id: member.id, stage: 'signup' });
          const opened = { referral_id: member.id, stage: 'signup', score: total, found_by: foundBy.id };
          entries.push({ action: 'review.opened', subjectId: review.id, details: opened });
        }
      }
      await audit(ctx.db, ctx.actor, ctx.now, entries);
    }
  }
}
