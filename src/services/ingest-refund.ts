import { refundClawback } from '../domain/reward-lifecycle.ts';
import { AppError } from '../lib/errors.ts';
import { lockRow } from '../store/locks.ts';
import { findEventByExternalId, sumRefundsOf } from '../store/repositories/events.ts';
import { findRewardsOfEvent } from '../store/repositories/rewards.ts';
import { type IngestContext, type Ingested, result } from './ingest-context.ts';
import { reverseReward } from './rewards.ts';

/**
 * A refund of a purchase: the rewards that purchase earned shrink in proportion to what is
 * refunded, wherever they are in their lifecycle (a paid one leaves a negative balance).
 */
export async function ingestRefund(ctx: IngestContext): Promise<Ingested> {
  const { db, event } = ctx;
  const reference = event.purchase_external_id as string;
  const purchase = await findEventByExternalId(db, 'purchase', reference);
  if (!purchase) {
    // Nothing to claw back yet; the refund is kept, and documented as needing its purchase first.
    return { programId: event.program_id, result: result('recorded', { reason: 'purchase_not_found' }) };
  }
  if (purchase.currency !== event.currency) {
    throw new AppError(
      'currency_mismatch',
      `currency must be the purchase's currency (${purchase.currency}).`,
      'currency',
    );
  }
  // Refunds of one purchase run one at a time, so their running total is exact.
  await lockRow(db, 'events', purchase.id);
  const refunded = await sumRefundsOf(db, reference);
  const orderAmount = purchase.amount ?? 0;
  if (refunded > orderAmount) {
    throw new AppError(
      'refund_exceeds_purchase',
      `Refunds of purchase '${reference}' would total ${refunded} ${purchase.currency}, more than its ${orderAmount}.`,
      'amount',
    );
  }
  const reversed: string[] = [];
  for (const reward of await findRewardsOfEvent(db, purchase.id)) {
    const changed = await reverseReward(
      db,
      reward.id,
      {
        amount: (latest) =>
          refundClawback(
            {
              status: latest.status,
              amount: latest.amount,
              reversedAmount: latest.reversed_amount,
              kind: latest.kind,
            },
            orderAmount,
            refunded,
          ),
        reason: 'refund',
        eventId: event.id,
        actor: ctx.actor,
      },
      ctx.now,
    );
    if (changed) reversed.push(reward.id);
  }
  const programId = purchase.program_id;
  if (reversed.length === 0) {
    return { programId, result: result('recorded', { reason: 'nothing_to_reverse' }) };
  }
  return { programId, result: result('rewards_reversed', { reward_ids: reversed }) };
}
