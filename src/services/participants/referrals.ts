import { notFound } from '../../lib/errors.ts';
import type { Executor, Page, PageRequest } from '../../store/executor.ts';
import { findSignals, findSignalsOf, type SignalRow } from '../../store/repositories/fraud.ts';
import {
  findReferral,
  listReferralRows,
  type ReferralFilter,
  type ReferralRow,
} from '../../store/repositories/referrals.ts';

/** A referral with the fraud signals raised on it, which explain its outcome. */
export interface ReferralView extends ReferralRow {
  signals: SignalRow[];
}

export async function getReferral(db: Executor, id: string): Promise<ReferralView> {
  const row = await findReferral(db, id);
  if (!row) throw notFound('referral', id);
  return { ...row, signals: await findSignals(db, id) };
}

export async function listReferrals(
  db: Executor,
  filter: ReferralFilter,
  page: PageRequest,
): Promise<Page<ReferralView>> {
  const rows = await listReferralRows(db, filter, page);
  const signals = await findSignalsOf(
    db,
    rows.data.map((r) => r.id),
  );
  return {
    ...rows,
    data: rows.data.map((r) => ({ ...r, signals: signals.filter((s) => s.referral_id === r.id) })),
  };
}
