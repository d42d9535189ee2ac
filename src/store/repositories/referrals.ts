import type { Executor, Page, PageRequest } from '../executor.ts';
import { fetchPage } from '../executor.ts';
import type { ReferralsTable } from '../schema.ts';

export type ReferralRow = ReferralsTable;

/** Inserts unless the referee already has a referral in the program; true when this call created it. */
export async function insertReferralIfAbsent(db: Executor, row: ReferralRow): Promise<boolean> {
  const inserted = await db
    .insertInto('referrals')
    .values(row)
    .onConflict((oc) => oc.columns(['program_id', 'referee_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findReferralForReferee(
  db: Executor,
  programId: string,
  refereeId: string,
): Promise<ReferralRow | undefined> {
  return db
    .selectFrom('referrals')
    .selectAll()
    .where('program_id', '=', programId)
    .where('referee_id', '=', refereeId)
    .executeTakeFirst();
}

/**
 * The pending referrals of a customer, by the customer's external id, optionally in one program,
 * each with its program's rewards (JSON) so qualification needs no further query.
 */
export async function findPendingReferralsOfCustomer(
  db: Executor,
  customerExternalId: string,
  programId: string | null,
): Promise<(ReferralRow & { program_rewards: string })[]> {
  let query = db
    .selectFrom('referrals as r')
    .innerJoin('participants as p', 'p.id', 'r.referee_id')
    .innerJoin('programs as g', 'g.id', 'r.program_id')
    .selectAll('r')
    .select('g.rewards as program_rewards')
    .where('p.external_id', '=', customerExternalId)
    .where('r.status', '=', 'pending');
  if (programId) query = query.where('r.program_id', '=', programId);
  // Sorted here, not in SQL: an ORDER BY on r.id tempts SQLite (without statistics) into walking
  // the whole referrals table by id instead of starting from the customer's participant rows.
  return (await query.execute()).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * Moves a referral out of `pending`. Guarded on the current status, so of two concurrent
 * purchases only one qualifies it: the caller checks the returned flag.
 */
export async function transitionPendingReferral(
  db: Executor,
  id: string,
  changes: Pick<Partial<ReferralRow>, 'status' | 'qualifying_event_id' | 'qualified_at'>,
): Promise<boolean> {
  const result = await db
    .updateTable('referrals')
    .set(changes)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface ReferralFilter {
  programId?: string | undefined;
  referrerId?: string | undefined;
  status?: ReferralRow['status'] | undefined;
}

export async function listReferralRows(
  db: Executor,
  filter: ReferralFilter,
  page: PageRequest,
): Promise<Page<ReferralRow>> {
  let query = db.selectFrom('referrals').selectAll();
  if (filter.programId) query = query.where('program_id', '=', filter.programId);
  if (filter.referrerId) query = query.where('referrer_id', '=', filter.referrerId);
  if (filter.status) query = query.where('status', '=', filter.status);
  return fetchPage(query, page);
}

export async function findReferral(db: Executor, id: string): Promise<ReferralRow | undefined> {
  return db.selectFrom('referrals').selectAll().where('id', '=', id).executeTakeFirst();
}
