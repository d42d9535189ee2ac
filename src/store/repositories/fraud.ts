import type { Executor, Page, PageRequest } from '../executor.ts';
import { fetchPage } from '../executor.ts';
import type { FraudSignalsTable, ReviewsTable } from '../schema.ts';

export type SignalRow = FraudSignalsTable;
export type ReviewRow = ReviewsTable;

export async function insertSignals(db: Executor, rows: readonly SignalRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('fraud_signals').values(rows).execute();
}

export async function findSignals(db: Executor, referralId: string): Promise<SignalRow[]> {
  return findSignalsOf(db, [referralId]);
}

export async function findSignalsOf(db: Executor, referralIds: readonly string[]): Promise<SignalRow[]> {
  if (referralIds.length === 0) return [];
  return db
    .selectFrom('fraud_signals')
    .selectAll()
    .where('referral_id', 'in', referralIds)
    .orderBy('id')
    .execute();
}

/** Opens a review unless the referral has one open already; true when this call opened it. */
export async function insertReviewIfNoneOpen(db: Executor, row: ReviewRow): Promise<boolean> {
  const result = await db
    .insertInto('reviews')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function findReview(db: Executor, id: string): Promise<ReviewRow | undefined> {
  return db.selectFrom('reviews').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOpenReview(db: Executor, referralId: string): Promise<ReviewRow | undefined> {
  return db
    .selectFrom('reviews')
    .selectAll()
    .where('referral_id', '=', referralId)
    .where('status', '=', 'open')
    .executeTakeFirst();
}

export async function listReviews(
  db: Executor,
  filter: {
    programId?: string | undefined;
    referralId?: string | undefined;
    status?: ReviewRow['status'] | undefined;
  },
  page: PageRequest,
): Promise<Page<ReviewRow>> {
  let query = db.selectFrom('reviews').selectAll();
  if (filter.programId) query = query.where('program_id', '=', filter.programId);
  if (filter.referralId) query = query.where('referral_id', '=', filter.referralId);
  if (filter.status) query = query.where('status', '=', filter.status);
  return fetchPage(query, page);
}

/** Closes an open review; false when it was no longer open (decided concurrently). */
export async function closeReview(
  db: Executor,
  id: string,
  decision: Pick<ReviewRow, 'status' | 'decided_at' | 'decided_by' | 'note'>,
): Promise<boolean> {
  const result = await db
    .updateTable('reviews')
    .set(decision)
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Signals and referrals per rule, and referrals per outcome, in a program over a period. */
export async function fraudCounts(db: Executor, programId: string, since: string, until: string) {
  const byRule = await db
    .selectFrom('fraud_signals')
    .select((eb) => [
      'rule',
      eb.fn.countAll<number | string>().as('signals'),
      eb.fn.count<number | string>('referral_id').distinct().as('referrals'),
    ])
    .where('program_id', '=', programId)
    .where('created_at', '>=', since)
    .where('created_at', '<', until)
    .groupBy('rule')
    .orderBy('rule')
    .execute();
  const byOutcome = await db
    .selectFrom('referrals')
    .select((eb) => ['fraud_outcome', eb.fn.countAll<number | string>().as('referrals')])
    .where('program_id', '=', programId)
    .where('created_at', '>=', since)
    .where('created_at', '<', until)
    .groupBy('fraud_outcome')
    .execute();
  return { byRule, byOutcome };
}

/** A referral a cluster found later can still hold back: the fields reach-back reads. */
export interface ReachableReferral {
  id: string;
  program_id: string;
  fraud_score: number;
}

/**
 * Of `ids`, the referrals a rule's late finding can still act on: not rejected or expired, none of
 * their rewards approved or paid yet (a review holds only held rewards), and without a signal of
 * that rule already, so a cluster's every new member adds nothing twice. In id order.
 */
export async function findReachable(
  db: Executor,
  ids: readonly string[],
  rule: string,
): Promise<ReachableReferral[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('referrals as r')
    .select(['r.id', 'r.program_id', 'r.fraud_score'])
    .where('r.id', 'in', ids)
    .where('r.status', 'in', ['pending', 'qualified'])
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('rewards as w')
            .select('w.id')
            .whereRef('w.referral_id', '=', 'r.id')
            .where('w.status', 'in', ['approved', 'issued', 'redeemed']),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('fraud_signals as s')
            .select('s.id')
            .whereRef('s.referral_id', '=', 'r.id')
            .where('s.rule', '=', rule),
        ),
      ),
    )
    .orderBy('r.id')
    .execute();
}

/** Adds a late signal's score to a referral's, and marks it for review when `review` is set. */
export async function raiseFraudScore(db: Executor, id: string, score: number, review: boolean) {
  await db
    .updateTable('referrals')
    .set((eb) => ({
      fraud_score: eb('fraud_score', '+', score),
      ...(review ? { fraud_outcome: 'review' as const } : {}),
    }))
    .where('id', '=', id)
    .execute();
}
