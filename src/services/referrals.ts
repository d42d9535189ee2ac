import { notFound } from '../lib/errors.ts';
import type { Executor, Page, PageRequest } from '../store/executor.ts';
import {
  findReferral,
  listReferralRows,
  type ReferralFilter,
  type ReferralRow,
} from '../store/repositories/referrals.ts';

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
