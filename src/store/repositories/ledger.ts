import type { EntryDraft } from '../../domain/ledger.ts';
import type { Executor } from '../executor.ts';

export interface PostingContext {
  postingId: string;
  programId: string;
  rewardId: string | null;
  createdAt: string;
  newEntryId: () => string;
}

export async function insertPosting(db: Executor, entries: EntryDraft[], ctx: PostingContext): Promise<void> {
  await db
    .insertInto('ledger_entries')
    .values(
      entries.map((e) => ({
        id: ctx.newEntryId(),
        posting_id: ctx.postingId,
        account: e.account,
        participant_id: e.participantId,
        program_id: ctx.programId,
        reward_id: ctx.rewardId,
        currency: e.currency,
        amount: e.amount,
        created_at: ctx.createdAt,
      })),
    )
    .execute();
}

export async function sumParticipantAccounts(db: Executor, participantIds: readonly string[]) {
  if (participantIds.length === 0) return [];
  const rows = await db
    .selectFrom('ledger_entries')
    .select([
      'participant_id',
      'account',
      'currency',
      (eb) => eb.fn.sum<number | string>('amount').as('amount'),
    ])
    .where('participant_id', 'in', participantIds)
    .groupBy(['participant_id', 'account', 'currency'])
    .execute();
  // SUM over bigint is numeric on PostgreSQL and arrives as a string.
  return rows.map((r) => ({
    participantId: r.participant_id as string,
    account: r.account,
    currency: r.currency,
    amount: Number(r.amount),
  }));
}
