import type { Executor, Page, PageRequest } from '../executor.ts';
import { fetchPage } from '../executor.ts';
import type { PayoutItemsTable, PayoutsTable } from '../schema.ts';

export type PayoutRow = PayoutsTable;
export type PayoutItemRow = PayoutItemsTable;

/** False when another run of the same program and currency is still open (its `open_key`). */
export async function insertPayoutIfNoneOpen(db: Executor, row: PayoutRow): Promise<boolean> {
  const inserted = await db
    .insertInto('payouts')
    .values(row)
    .onConflict((oc) => oc.column('open_key').doNothing())
    .returning('id')
    .execute();
  return inserted.length > 0;
}

export async function findOpenPayout(db: Executor, openKey: string): Promise<PayoutRow | undefined> {
  return db.selectFrom('payouts').selectAll().where('open_key', '=', openKey).executeTakeFirst();
}

export async function setPayoutTotals(db: Executor, payout: Pick<PayoutRow, 'id' | 'amount' | 'item_count'>) {
  await db
    .updateTable('payouts')
    .set({ amount: payout.amount, item_count: payout.item_count })
    .where('id', '=', payout.id)
    .execute();
}

export async function insertPayoutItems(db: Executor, rows: PayoutItemRow[]): Promise<void> {
  // A run may hold thousands of lines: chunks keep each statement under the parameter limits.
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('payout_items')
      .values(rows.slice(i, i + 500))
      .execute();
  }
}

export async function findPayout(db: Executor, id: string): Promise<PayoutRow | undefined> {
  return db.selectFrom('payouts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Settles an open run; false when it was no longer pending (a concurrent confirm or cancel won). */
export async function settlePayout(
  db: Executor,
  id: string,
  status: 'paid' | 'canceled',
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('payouts')
    .set({ status, settled_at: at, open_key: null })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function listPayoutRows(
  db: Executor,
  filter: { programId?: string | undefined },
  page: PageRequest,
): Promise<Page<PayoutRow>> {
  let query = db.selectFrom('payouts').selectAll();
  if (filter.programId) query = query.where('program_id', '=', filter.programId);
  return fetchPage(query, page);
}

/** A run's lines with who they pay, in participant order. */
export async function listPayoutLines(db: Executor, payoutId: string) {
  return db
    .selectFrom('payout_items as i')
    .innerJoin('participants as p', 'p.id', 'i.participant_id')
    .select(['i.id', 'i.participant_id', 'i.amount', 'i.currency', 'p.external_id', 'p.email', 'p.name'])
    .where('i.payout_id', '=', payoutId)
    .orderBy('i.participant_id')
    .execute();
}

/** What the ledger check needs of every payout line. */
export async function listPayoutItemAmounts(db: Executor) {
  const rows = await db
    .selectFrom('payout_items as i')
    .innerJoin('payouts as p', 'p.id', 'i.payout_id')
    .select(['i.payout_id', 'i.participant_id', 'i.amount', 'i.currency', 'p.status'])
    .orderBy('i.id')
    .execute();
  return rows.map((r) => ({
    payoutId: r.payout_id,
    participantId: r.participant_id,
    amount: r.amount,
    currency: r.currency,
    status: r.status,
  }));
}
