import type { EntryDraft } from '../../domain/ledger.ts';
import { notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Executor, InTransaction, Page, PageRequest } from '../../store/executor.ts';
import { insertPostings } from '../../store/repositories/ledger.ts';
import {
  findPayout,
  listPayoutLines,
  listPayoutRows,
  type PayoutItemRow,
  type PayoutRow,
} from '../../store/repositories/payouts.ts';

export type { PayoutRow };

/** Writes one posting per line of the run, each with the entries `posting` gives it. */
export async function postLines(
  db: InTransaction,
  payout: PayoutRow,
  items: Pick<PayoutItemRow, 'participant_id' | 'amount' | 'currency'>[],
  posting: (participantId: string, amount: number, currency: string) => EntryDraft[],
  now: Date,
): Promise<void> {
  const postings = items.map((item) => ({
    id: newId('pst'),
    programId: payout.program_id,
    rewardId: null,
    payoutId: payout.id,
    entries: posting(item.participant_id, item.amount, item.currency),
  }));
  await insertPostings(db, postings, now.toISOString(), () => newId('led'));
}

export async function getPayout(db: Executor, id: string): Promise<PayoutRow> {
  const payout = await findPayout(db, id);
  if (!payout) throw notFound('payout', id);
  return payout;
}

export function listPayouts(
  db: Executor,
  filter: { programId?: string | undefined },
  page: PageRequest,
): Promise<Page<PayoutRow>> {
  return listPayoutRows(db, filter, page);
}

export type PayoutLine = Awaited<ReturnType<typeof listPayoutLines>>[number];

/** A run's lines, with who each pays. */
export async function getPayoutLines(db: Executor, id: string): Promise<PayoutLine[]> {
  await getPayout(db, id);
  return listPayoutLines(db, id);
}
