import type { Executor, Page, PageRequest } from '../executor.ts';
import { fetchPage } from '../executor.ts';
import { prepared } from '../prepared.ts';
import type { ReferralsTable } from '../schema.ts';

export type ReferralRow = ReferralsTable;

/**
 * Inserts unless the referee, or someone with the referee's normalised email, already has a
 * referral in the program; true when this call created it.
 */
export async function insertReferralIfAbsent(db: Executor, row: ReferralRow): Promise<boolean> {
  return (await insertReferral(db, row)).rows.length > 0;
}

const insertReferral = prepared((db, row: ReferralRow) =>
  db
    .insertInto('referrals')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returning('id'),
);

/** A referral in the program of any of these participant records (one person's linked records). */
export async function findReferralForReferees(
  db: Executor,
  programId: string,
  refereeIds: readonly string[],
): Promise<ReferralRow | undefined> {
  return db
    .selectFrom('referrals')
    .selectAll()
    .where('program_id', '=', programId)
    .where('referee_id', 'in', refereeIds)
    .executeTakeFirst();
}

/**
 * The pending referrals of a customer, by the customer's external id, optionally in one program,
 * each with the rules (JSON) of the version it was made under and its program's hold, so
 * qualification needs no further query.
 */
export async function findPendingReferralsOfCustomer(
  db: Executor,
  customerExternalId: string,
  programId: string | null,
): Promise<
  (ReferralRow & { program_rules: string; program_hold_days: number; program_fraud_settings: string })[]
> {
  const { rows } = programId
    ? await selectPendingInProgram(db, { customerExternalId, programId })
    : await selectPending(db, { customerExternalId });
  // Sorted here, not in SQL: an ORDER BY on r.id tempts SQLite (without statistics) into walking
  // the whole referrals table by id instead of starting from the customer's participant rows.
  return rows.sort((a, b) => (a.id < b.id ? -1 : 1));
}

const pendingOfCustomer = (db: Executor, customerExternalId: string) =>
  db
    .selectFrom('referrals as r')
    .innerJoin('participants as p', 'p.id', 'r.referee_id')
    .innerJoin('programs as g', 'g.id', 'r.program_id')
    .innerJoin('program_rules as v', (join) =>
      join.onRef('v.program_id', '=', 'r.program_id').onRef('v.version', '=', 'r.rules_version'),
    )
    .selectAll('r')
    .select([
      'v.rules as program_rules',
      'g.reward_hold_days as program_hold_days',
      'g.fraud_settings as program_fraud_settings',
    ])
    .where('p.external_id', '=', customerExternalId)
    .where('r.status', '=', 'pending');

const selectPending = prepared((db, v: { customerExternalId: string }) =>
  pendingOfCustomer(db, v.customerExternalId),
);

const selectPendingInProgram = prepared((db, v: { customerExternalId: string; programId: string }) =>
  pendingOfCustomer(db, v.customerExternalId).where('r.program_id', '=', v.programId),
);

/**
 * Moves a referral out of `pending`. Guarded on the current status, so of two concurrent
 * purchases only one qualifies it: the caller checks the returned flag.
 */
export async function transitionPendingReferral(
  db: Executor,
  id: string,
  changes: Pick<ReferralRow, 'status'> & Partial<Pick<ReferralRow, 'qualifying_event_id' | 'qualified_at'>>,
): Promise<boolean> {
  const result = await updatePending(db, {
    id,
    status: changes.status,
    qualifying_event_id: changes.qualifying_event_id ?? null,
    qualified_at: changes.qualified_at ?? null,
  });
  return Number(result.numAffectedRows) === 1;
}

// Sets all three columns every time, so one statement serves every transition out of pending
// (the two dates are null on a pending referral, and stay null unless the change sets them).
const updatePending = prepared(
  (db, v: Pick<ReferralRow, 'id' | 'status' | 'qualifying_event_id' | 'qualified_at'>) =>
    db
      .updateTable('referrals')
      .set({ status: v.status, qualifying_event_id: v.qualifying_event_id, qualified_at: v.qualified_at })
      .where('id', '=', v.id)
      .where('status', '=', 'pending'),
);

/** The referrer's qualified referrals in the program, this transaction's included. */
export async function countQualifiedReferrals(
  db: Executor,
  programId: string,
  referrerId: string,
): Promise<number> {
  const row = await db
    .selectFrom('referrals')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('referrer_id', '=', referrerId)
    .where('program_id', '=', programId)
    .where('status', '=', 'qualified')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Records a later screening of a referral: its outcome and total score. */
export async function setFraudScreening(
  db: Executor,
  id: string,
  screening: Pick<ReferralRow, 'fraud_outcome' | 'fraud_score'>,
): Promise<void> {
  await db.updateTable('referrals').set(screening).where('id', '=', id).execute();
}

export async function setUnrewardedReason(db: Executor, id: string, reason: string): Promise<void> {
  await db.updateTable('referrals').set({ unrewarded_reason: reason }).where('id', '=', id).execute();
}

/** Rejects a pending referral (guarded like qualification); true when this call rejected it. */
export async function rejectPendingReferral(db: Executor, id: string, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('referrals')
    .set({ status: 'rejected', rejection_reason: reason })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Rejects a referral whatever its status (a fraud review found it out); its rewards are voided apart. */
export async function rejectReferral(db: Executor, id: string, reason: string): Promise<void> {
  await db
    .updateTable('referrals')
    .set({ status: 'rejected', rejection_reason: reason })
    .where('id', '=', id)
    .execute();
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
