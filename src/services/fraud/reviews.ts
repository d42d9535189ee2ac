import { AppError, notFound } from '../../lib/errors.ts';
import type { Executor, InTransaction, Page, PageRequest } from '../../store/executor.ts';
import {
  closeReview,
  findOpenReview,
  findReview,
  listReviews as listReviewRows,
  type ReviewRow,
} from '../../store/repositories/fraud.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import { findReferral, rejectReferral } from '../../store/repositories/referrals.ts';
import { listRewardRows } from '../../store/repositories/rewards.ts';
import { type Actor, audit } from '../audit.ts';
import { outboxMessage } from '../outbox-message.ts';
import { reverseReward } from '../rewards/reverse-reward.ts';

export type { ReviewRow };

/** Who closes a review when fraud rules block its referral later. */
export const FRAUD_RULES_ACTOR: Actor = 'system:fraud-rules';

/**
 * A referral blocked at qualification while a review of its sign-up is open: the block decides the
 * review (there is nothing left to release, and no reward was made), so the queue does not keep it.
 */
export async function closeReviewOfBlocked(db: InTransaction, referralId: string, now: Date): Promise<void> {
  const review = await findOpenReview(db, referralId);
  if (!review) return;
  const note = 'Blocked by fraud rules at qualification.';
  const closed = await closeOpen(db, review, 'rejected', note, FRAUD_RULES_ACTOR, now);
  if (closed) await recordDecision(db, closed, [], now);
}

type Decision = 'approved' | 'rejected';
type ClosedReview = ReviewRow & { status: Decision };

/** Closes a review that is still open; null when a concurrent decision closed it first. */
async function closeOpen(
  db: InTransaction,
  review: ReviewRow,
  decision: Decision,
  note: string,
  actor: Actor,
  now: Date,
): Promise<ClosedReview | null> {
  const closed = { status: decision, decided_at: now.toISOString(), decided_by: actor, note };
  return (await closeReview(db, review.id, closed)) ? { ...review, ...closed } : null;
}

/** The decision's outbox message and audit entry, in the transaction that made it. */
async function recordDecision(
  db: InTransaction,
  review: ClosedReview,
  voided: string[],
  now: Date,
): Promise<void> {
  const details = { referral_id: review.referral_id, note: review.note, voided_reward_ids: voided };
  const message = outboxMessage(`fraud.review_${review.status}`, { review_id: review.id, ...details }, now);
  await enqueue(db, [message]);
  const actor = review.decided_by as Actor;
  await audit(db, actor, now, [{ action: `review.${review.status}`, subjectId: review.id, details }]);
}

export interface ReviewFilter {
  programId?: string | undefined;
  referralId?: string | undefined;
  status?: ReviewRow['status'] | undefined;
}

export async function getReview(db: Executor, id: string): Promise<ReviewRow> {
  const review = await findReview(db, id);
  if (!review) throw notFound('review', id);
  return review;
}

export function listReviews(db: Executor, filter: ReviewFilter, page: PageRequest): Promise<Page<ReviewRow>> {
  return listReviewRows(db, filter, page);
}

/**
 * An admin decides an open review. Approval releases the referral's rewards to their hold (those
 * whose hold has ended are approved by the next maturation run); rejection rejects the referral and
 * voids every reward it earned that is not reversed yet. Either way the decision, its note and its
 * actor go to the audit log, in the same transaction.
 */
export async function decideReview(
  db: InTransaction,
  id: string,
  decision: Decision,
  note: string,
  now: Date,
  actor: Actor,
): Promise<ReviewRow> {
  const closed = await closeOpen(db, await getReview(db, id), decision, note, actor, now);
  if (!closed) {
    const latest = await getReview(db, id);
    throw new AppError('review_not_open', `Review '${id}' was already ${latest.status}.`);
  }
  const voided = decision === 'rejected' ? await voidReferral(db, closed.referral_id, actor, now) : [];
  await recordDecision(db, closed, voided, now);
  return closed;
}

/** Rejects a referral found out by review, and reverses what is left of its rewards; their ids. */
async function voidReferral(
  db: InTransaction,
  referralId: string,
  actor: Actor,
  now: Date,
): Promise<string[]> {
  const referral = await findReferral(db, referralId);
  if (referral && referral.status !== 'rejected') await rejectReferral(db, referral.id, 'fraud_review');
  const rewards = await listRewardRows(db, { referralId }, { limit: 100 });
  const voided: string[] = [];
  // In id order, like every change of several rewards, so none deadlocks with another.
  for (const reward of [...rewards.data].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const request = {
      amount: (r: typeof reward) => r.amount - r.reversed_amount,
      reason: 'fraud' as const,
      actor,
    };
    if (await reverseReward(db, reward.id, request, now)) voided.push(reward.id);
  }
  return voided;
}
