import type { Executor, Page, PageRequest } from '../executor.ts';
import { fetchPage } from '../executor.ts';
import { prepared } from '../prepared.ts';
import type { RewardsTable } from '../schema.ts';

export type RewardRow = RewardsTable;

const insertRows = prepared((db, rows: RewardRow[]) => db.insertInto('rewards').values(rows));

export async function insertRewards(db: Executor, rows: RewardRow[]): Promise<void> {
  if (rows.length > 0) await insertRows(db, rows);
}

export async function findReward(db: Executor, id: string): Promise<RewardRow | undefined> {
  return db.selectFrom('rewards').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The state a change was decided on; the change applies only if the row still has it. */
export type RewardVersion = Pick<RewardRow, 'id' | 'status' | 'reversed_amount'>;

/**
 * Compare-and-set: updates the reward only if its status and reversed amount are still those
 * read. On PostgreSQL a concurrent writer's commit is re-checked by the UPDATE itself, so of two
 * racing changes exactly one applies and the other reads again. False when it lost.
 */
export async function updateRewardIfUnchanged(
  db: Executor,
  seen: RewardVersion,
  changes: Partial<Omit<RewardRow, 'id'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('rewards')
    .set(changes)
    .where('id', '=', seen.id)
    .where('status', '=', seen.status)
    .where('reversed_amount', '=', seen.reversed_amount)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** The rewards a purchase earned: its refunds claw them back. */
export async function findRewardsOfEvent(db: Executor, eventId: string): Promise<RewardRow[]> {
  return db
    .selectFrom('rewards')
    .selectAll()
    .where('qualifying_event_id', '=', eventId)
    .orderBy('id')
    .execute();
}

/** Held rewards whose hold has ended, oldest first. */
export async function listDueRewardIds(db: Executor, now: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('rewards')
    .select('id')
    .where('status', '=', 'pending')
    .where('available_at', '<=', now)
    .orderBy('available_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export interface RewardFilter {
  participantId?: string | undefined;
  referralId?: string | undefined;
  status?: RewardRow['status'] | undefined;
}

export async function listRewardRows(
  db: Executor,
  filter: RewardFilter,
  page: PageRequest,
): Promise<Page<RewardRow>> {
  let query = db.selectFrom('rewards').selectAll();
  if (filter.participantId) query = query.where('participant_id', '=', filter.participantId);
  if (filter.referralId) query = query.where('referral_id', '=', filter.referralId);
  if (filter.status) query = query.where('status', '=', filter.status);
  return fetchPage(query, page);
}

/** What the ledger check needs of every reward. */
export async function listRewardAmounts(db: Executor) {
  return db
    .selectFrom('rewards')
    .select(['id', 'status', 'amount', 'reversed_amount', 'currency'])
    .orderBy('id')
    .execute();
}

/** Puts a participant's approved, unpaid rewards into a payout run. */
export async function attachRewardsToPayout(
  db: Executor,
  payout: { id: string; program_id: string; currency: string },
  participantIds: string[],
): Promise<void> {
  // Chunked: a run may pay thousands of participants, past SQLite's bound-parameter limit.
  for (let i = 0; i < participantIds.length; i += 500) {
    await db
      .updateTable('rewards')
      .set({ payout_id: payout.id })
      .where('participant_id', 'in', participantIds.slice(i, i + 500))
      .where('program_id', '=', payout.program_id)
      .where('currency', '=', payout.currency)
      .where('status', '=', 'approved')
      .where('payout_id', 'is', null)
      .execute();
  }
}

/** The run was paid: its rewards that are still approved are now issued. Their ids. */
export async function issueRewardsOfPayout(db: Executor, payoutId: string, at: string): Promise<string[]> {
  const rows = await db
    .updateTable('rewards')
    .set({ status: 'issued', issued_at: at })
    .where('payout_id', '=', payoutId)
    .where('status', '=', 'approved')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** The run was canceled: its rewards wait for the next one. */
export async function detachRewardsFromPayout(db: Executor, payoutId: string): Promise<void> {
  await db.updateTable('rewards').set({ payout_id: null }).where('payout_id', '=', payoutId).execute();
}
