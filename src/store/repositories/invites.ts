import type { Executor, Page, PageRequest } from '../executor.ts';
import { fetchPage } from '../executor.ts';
import type { InvitesTable } from '../schema.ts';

export type InviteRow = InvitesTable;

/** Inserts unless the referrer invited the same person before; true when this call created it. */
export async function insertInviteIfAbsent(db: Executor, row: InviteRow): Promise<boolean> {
  const result = await db
    .insertInto('invites')
    .values(row)
    .onConflict((oc) => oc.columns(['program_id', 'referrer_id', 'email_hash']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function findInvite(
  db: Executor,
  key: Pick<InviteRow, 'program_id' | 'referrer_id' | 'email_hash'>,
): Promise<InviteRow | undefined> {
  return db
    .selectFrom('invites')
    .selectAll()
    .where('program_id', '=', key.program_id)
    .where('referrer_id', '=', key.referrer_id)
    .where('email_hash', '=', key.email_hash)
    .executeTakeFirst();
}

export async function listInviteRows(
  db: Executor,
  filter: { referrerId?: string | undefined; programId?: string | undefined },
  page: PageRequest,
): Promise<Page<InviteRow>> {
  let query = db.selectFrom('invites').selectAll();
  if (filter.referrerId) query = query.where('referrer_id', '=', filter.referrerId);
  if (filter.programId) query = query.where('program_id', '=', filter.programId);
  return fetchPage(query, page);
}

export function findInviteById(db: Executor, id: string): Promise<InviteRow | undefined> {
  return db.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirst();
}
