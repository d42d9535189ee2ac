import { refundClawback } from '../../domain/reward-lifecycle.ts';
import { AppError } from '../../lib/errors.ts';
import { lockNames, lockRow } from '../../store/locks.ts';
import { findEventByExternalId, refundsOf, sumRefundsOf } from '../../store/repositories/events.ts';
import { findRewardsOfEvent } from '../../store/repositories/rewards.ts';
import { reverseReward } from '../rewards/reverse-reward.ts';
import { type IngestContext, type Ingested, result } from './ingest-context.ts';

/**
 * Refunds and their purchase may arrive in either order (billing systems send both at once and
 * retry out of order): each takes this lock before reading the other, so one of them always sees
 * the other and the rewards end as if the purchase had come first.
 */
export const lockPurchase = (ctx: IngestContext, purchaseExternalId: string) =>
  lockNames(ctx.db, [`purchase:${purchaseExternalId}`]);

/**
 * A refund of a purchase: the rewards that purchase earned shrink in proportion to what is
 * refunded, wherever they are in their lifecycle (a paid one leaves a negative balance).
 */
export async function ingestRefund(ctx: IngestContext): Promise<Ingested> {
  const { db, event } = ctx;
  const reference = event.purchase_external_id as string;
  await lockPurchase(ctx, reference);
  const purchase = await findEventByExternalId(db, 'purchase', reference);
  if (!purchase) {
    // Kept: the purchase, when it comes, applies it (clawBackEarlierRefunds).
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
  const reversed = await clawBack(ctx, purchase.id, orderAmount, refunded, event.id);
  const programId = purchase.program_id;
  if (reversed.length === 0) {
    return { programId, result: result('recorded', { reason: 'nothing_to_reverse' }) };
  }
  return { programId, result: result('rewards_reversed', { reward_ids: reversed }) };
}

/**
 * The rewards a purchase just earned, shrunk by the refunds of it that arrived before it did.
 * Refunds in another currency than the purchase's are left as they were recorded.
 */
export async function clawBackEarlierRefunds(ctx: IngestContext): Promise<string[]> {
  const { db, event } = ctx;
  const earlier = (await refundsOf(db, event.external_id)).filter((r) => r.currency === event.currency);
  const latest = earlier[earlier.length - 1];
  if (!latest) return [];
  const orderAmount = event.amount ?? 0;
  const refunded = Math.min(
    earlier.reduce((sum, r) => sum + (r.amount ?? 0), 0),
    orderAmount,
  );
  return clawBack(ctx, event.id, orderAmount, refunded, latest.id);
}

/** Shrinks each reward of the purchase to what `refunded` of `orderAmount` leaves; the ids changed. */
async function clawBack(
  ctx: IngestContext,
  purchaseId: string,
  orderAmount: number,
  refunded: number,
  refundEventId: string,
): Promise<string[]> {
  const reversed: string[] = [];
  for (const reward of await findRewardsOfEvent(ctx.db, purchaseId)) {
    const changed = await reverseReward(
      ctx.db,
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
        eventId: refundEventId,
        actor: ctx.actor,
      },
      ctx.now,
    );
    if (changed) reversed.push(reward.id);
  }
  return reversed;
}
