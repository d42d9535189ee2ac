import { notFound } from '../lib/errors.ts';
import type { Executor, Page, PageRequest } from '../store/executor.ts';
import {
  findReferral,
  listReferralRows,
  type ReferralFilter,
  type ReferralRow,
} from '../store/repositories/referrals.ts';
import { listRewardRows, type RewardFilter, type RewardRow } from '../store/repositories/rewards.ts';

export async function getReferral(db: Executor, id: string): Promise<ReferralRow> {
  const row = await findReferral(db, id);
  if (!row) throw notFound('referral', id);
  return row;
}

export function listReferrals(
  db: Executor,
  filter: ReferralFilter,
  page: PageRequest,
): Promise<Page<ReferralRow>> {
  return listReferralRows(db, filter, page);
}

export function listRewards(db: Executor, filter: RewardFilter, page: PageRequest): Promise<Page<RewardRow>> {
  return listRewardRows(db, filter, page);
}
