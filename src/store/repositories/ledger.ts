import type { ExpressionBuilder } from 'kysely';
import type { EntryDraft } from '../../domain/ledger.ts';
import type { Executor } from '../executor.ts';
import { prepared } from '../prepared.ts';
import type { Database, LedgerEntriesTable } from '../schema.ts';

export interface Posting {
  id: string;
  programId: string;
  rewardId: string | null;
  payoutId?: string | null;
  /** The event it answers: a refund's clawback, a won chargeback's reinstatement. */
  eventId?: string | null;
  entries: EntryDraft[];
}

/** Writes postings in one statement; each posting's entries share its id. */
export async function insertPostings(
  db: Executor,
  postings: Posting[],
  createdAt: string,
  newEntryId: () => string,
): Promise<void> {
  const rows = postings.flatMap((posting) =>
    posting.entries.map((e) => ({
      id: newEntryId(),
      posting_id: posting.id,
      account: e.account,
      participant_id: e.participantId,
      program_id: posting.programId,
      reward_id: posting.rewardId,
      payout_id: posting.payoutId ?? null,
      currency: e.currency,
      amount: e.amount,
      created_at: createdAt,
      event_id: posting.eventId ?? null,
    })),
  );
  if (rows.length > 0) await insertRows(db, rows);
}

const insertRows = prepared((db, rows: LedgerEntriesTable[]) => db.insertInto('ledger_entries').values(rows));

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

/** What the postings answering an event took back into the program from each reward. */
export async function takenByEvent(db: Executor, eventId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['reward_id', (eb) => eb.fn.sum<number | string>('amount').as('amount')])
    .where('event_id', '=', eventId)
    .where('account', '=', 'program_rewards')
    .where('reward_id', 'is not', null)
    .groupBy('reward_id')
    .orderBy('reward_id')
    .execute();
  return new Map(rows.map((r) => [r.reward_id as string, Number(r.amount)]));
}

/** Postings whose entries do not sum to zero in some currency. */
export async function findUnbalancedPostings(db: Executor) {
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['posting_id', 'currency', (eb) => eb.fn.sum<number | string>('amount').as('total')])
    .groupBy(['posting_id', 'currency'])
    .having((eb) => eb.fn.sum('amount'), '!=', 0)
    .orderBy('posting_id')
    .execute();
  return rows.map((r) => ({ postingId: r.posting_id, currency: r.currency, total: Number(r.total) }));
}

/** Every reward's entries, summed per account and currency. */
export async function sumRewardAccounts(db: Executor) {
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['reward_id', 'account', 'currency', (eb) => eb.fn.sum<number | string>('amount').as('amount')])
    .where('reward_id', 'is not', null)
    .groupBy(['reward_id', 'account', 'currency'])
    .execute();
  return rows.map((r) => ({
    rewardId: r.reward_id as string,
    account: r.account,
    currency: r.currency,
    amount: Number(r.amount),
  }));
}

/** Every payout line's entries, summed per account and currency. */
export async function sumPayoutAccounts(db: Executor) {
  const rows = await db
    .selectFrom('ledger_entries')
    .select([
      'payout_id',
      'participant_id',
      'account',
      'currency',
      (eb) => eb.fn.sum<number | string>('amount').as('amount'),
    ])
    .where('payout_id', 'is not', null)
    .groupBy(['payout_id', 'participant_id', 'account', 'currency'])
    .execute();
  return rows.map((r) => ({
    payoutId: r.payout_id as string,
    participantId: r.participant_id as string,
    account: r.account,
    currency: r.currency,
    amount: Number(r.amount),
  }));
}

export async function countLedger(db: Executor): Promise<{ postings: number; entries: number }> {
  const row = await db
    .selectFrom('ledger_entries')
    .select([
      (eb) => eb.fn.count<number | string>('posting_id').distinct().as('postings'),
      (eb) => eb.fn.countAll<number | string>().as('entries'),
    ])
    .executeTakeFirstOrThrow();
  return { postings: Number(row.postings), entries: Number(row.entries) };
}

/** Participants of a program whose available balance in a currency is at least `minimum`. */
export async function findPayableBalances(
  db: Executor,
  programId: string,
  currency: string,
  minimum: number,
): Promise<{ participantId: string; amount: number }[]> {
  const total = (eb: ExpressionBuilder<Database, 'ledger_entries'>) => eb.fn.sum<number | string>('amount');
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['participant_id', (eb) => total(eb).as('amount')])
    .where('program_id', '=', programId)
    .where('currency', '=', currency)
    .where('account', '=', 'participant_available')
    .groupBy('participant_id')
    .having(total, '>=', minimum)
    .orderBy('participant_id')
    .execute();
  return rows.map((r) => ({ participantId: r.participant_id as string, amount: Number(r.amount) }));
}

/** What each participant of a program was paid in a period, per currency, with who they are. */
export async function paidBetween(db: Executor, programId: string, from: string, to: string) {
  const rows = await db
    .selectFrom('ledger_entries as e')
    .innerJoin('participants as p', 'p.id', 'e.participant_id')
    .select([
      'e.participant_id',
      'p.external_id',
      'p.email',
      'p.name',
      'e.currency',
      (eb) => eb.fn.sum<number | string>('e.amount').as('paid'),
    ])
    .where('e.program_id', '=', programId)
    .where('e.account', '=', 'participant_paid')
    .where('e.created_at', '>=', from)
    .where('e.created_at', '<', to)
    .groupBy(['e.participant_id', 'p.external_id', 'p.email', 'p.name', 'e.currency'])
    .orderBy('e.participant_id')
    .execute();
  return rows.map((r) => ({ ...r, participant_id: r.participant_id as string, paid: Number(r.paid) }));
}

/** One page of a program's journal, in entry order, with what finance books each reward as. */
export function journalPage(
  db: Executor,
  scope: { programId: string; since?: string | undefined; until?: string | undefined },
  after: string | null,
  limit: number,
) {
  let query = db
    .selectFrom('ledger_entries as e')
    .leftJoin('rewards as r', 'r.id', 'e.reward_id')
    .select([
      'e.id',
      'e.posting_id',
      'e.created_at',
      'e.account',
      'e.participant_id',
      'e.currency',
      'e.amount',
      'e.reward_id',
      'r.kind as reward_kind',
      'r.accounting_class',
      'e.payout_id',
    ])
    .where('e.program_id', '=', scope.programId)
    .orderBy('e.id')
    .limit(limit);
  if (scope.since) query = query.where('e.created_at', '>=', scope.since);
  if (scope.until) query = query.where('e.created_at', '<', scope.until);
  if (after) query = query.where('e.id', '>', after);
  return query.execute();
}
