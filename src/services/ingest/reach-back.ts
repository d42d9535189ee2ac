import { clusterSignal, type FraudSettings, fraudOutcome } from '../../domain/fraud.ts';
import { findReachable, raiseFraudScore } from '../../store/repositories/fraud.ts';
import { audit } from '../audit.ts';
import { type Cluster, recordScreening } from '../fraud/screen-referral.ts';
import type { IngestContext } from './ingest-context.ts';

/**
 * A cluster rule sees a farm only at its Nth member, so the first members passed. Gives each
 * cluster's other referrals that nothing has paid yet the signal that fired on `foundBy`, once per
 * rule. A referral whose score then reaches review_score is held for review (its rewards wait); a
 * late finding never blocks, since an admin may have to undo it.
 */
export async function reachBack(
  ctx: IngestContext,
  foundBy: { id: string },
  clusters: readonly Cluster[],
  settings: FraudSettings,
): Promise<void> {
  for (const cluster of clusters) {
    const signal = clusterSignal(cluster.rule, settings, foundBy.id);
    for (const member of await findReachable(ctx.db, cluster.memberIds, cluster.rule)) {
      const score = member.fraud_score + signal.score;
      const held = fraudOutcome([], settings, score) !== 'allow';
      await recordScreening(ctx, member, 'signup', {
        signals: [signal],
        score,
        outcome: held ? 'review' : 'allow',
      });
      await raiseFraudScore(ctx.db, member.id, signal.score, held);
      const details = { rule: signal.rule, score: signal.score, reason: signal.reason, found_by: foundBy.id };
      await audit(ctx.db, ctx.actor, ctx.now, [
        { action: 'fraud_signal.added', subjectId: member.id, details },
      ]);
    }
  }
}
