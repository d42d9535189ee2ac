import type { Executor, Page, PageRequest } from '../executor.ts';
import { fetchPage } from '../executor.ts';
import { prepared } from '../prepared.ts';
import type { RewardsTable } from '../schema.ts';

export type RewardRow = RewardsTable;

const insertRows = prepared((db, rows: RewardRow[]) => db.insertInto('rewards').values(rows));

export async function insertRewards(db: Executor, rows: RewardRow[]): Promise<void> {
  if (rows.length > 0) await insertRows(db, rows);
}

export interface RewardFilter {
  participantId?: string | undefined;
  referralId?: string | undefined;
}

export async function listRewardRows(
  db: Executor,
  filter: RewardFilter,
  page: PageRequest,
): Promise<Page<RewardRow>> {
  let query = db.selectFrom('rewards').selectAll();
  if (filter.participantId) query = query.where('participant_id', '=', filter.participantId);
  if (filter.referralId) query = query.where('referral_id', '=', filter.referralId);
  return fetchPage(query, page);
}

/** What the ledger check needs of every reward. */
export async function listRewardAmounts(db: Executor) {
  return db.selectFrom('rewards').select(['id', 'status', 'amount', 'currency']).orderBy('id').execute();
}
