import { type Executor, fetchPage, type Page, type PageRequest } from '../executor.ts';
import type { FulfilmentTasksTable, RewardsTable } from '../schema.ts';

export type FulfilmentTaskRow = FulfilmentTasksTable;

export async function insertTask(db: Executor, row: FulfilmentTaskRow): Promise<void> {
  await db.insertInto('fulfilment_tasks').values(row).execute();
}

export function findTask(db: Executor, id: string): Promise<FulfilmentTaskRow | undefined> {
  return db.selectFrom('fulfilment_tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface TaskFilter {
  status?: FulfilmentTaskRow['status'] | undefined;
  programId?: string | undefined;
  rewardId?: string | undefined;
}

export function listTaskRows(
  db: Executor,
  filter: TaskFilter,
  page: PageRequest,
): Promise<Page<FulfilmentTaskRow>> {
  let query = db.selectFrom('fulfilment_tasks').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.programId) query = query.where('program_id', '=', filter.programId);
  if (filter.rewardId) query = query.where('reward_id', '=', filter.rewardId);
  return fetchPage(query, page);
}

/** Closes an open task (done or canceled); false when it was not open any more. */
export async function closeTaskIfOpen(
  db: Executor,
  where: { id: string } | { rewardId: string },
  changes: Pick<FulfilmentTaskRow, 'status' | 'completed_at' | 'completed_by' | 'note'>,
): Promise<boolean> {
  let query = db.updateTable('fulfilment_tasks').set(changes).where('status', '=', 'open');
  query = 'id' in where ? query.where('id', '=', where.id) : query.where('reward_id', '=', where.rewardId);
  const result = await query.executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Who each reward (by id) goes to, and what it is: what a fulfiller needs to deliver it. */
export async function findRecipients(db: Executor, rewardIds: readonly string[]) {
  if (rewardIds.length === 0) return new Map<string, TaskRecipientRow>();
  const rows = await db
    .selectFrom('rewards as r')
    .innerJoin('participants as p', 'p.id', 'r.participant_id')
    .select([
      'r.id as reward_id',
      'r.participant_id',
      'r.side',
      'r.kind',
      'r.amount',
      'r.currency',
      'p.external_id',
      'p.email',
      'p.name',
    ])
    .where('r.id', 'in', rewardIds)
    .execute();
  return new Map(rows.map((row) => [row.reward_id, row]));
}

export interface TaskRecipientRow {
  reward_id: string;
  participant_id: string;
  side: RewardsTable['side'];
  kind: RewardsTable['kind'];
  amount: number;
  currency: string;
  external_id: string;
  email: string | null;
  name: string | null;
}
