import type { SelectQueryBuilder } from 'kysely';
import type { Executor, Page, PageRequest } from '../executor.ts';
import { fetchPage } from '../executor.ts';
import { isPostgres } from '../locks.ts';
import { prepared } from '../prepared.ts';
import type { Database, RewardsTable } from '../schema.ts';

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

/**
 * Held rewards whose hold has ended, oldest first, except those an open fraud review holds and
 * those of a disabled participant that no admin released.
 */
export async function listDueRewardIds(db: Executor, now: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('rewards')
    .select('id')
    .where('status', '=', 'pending')
    .where('available_at', '<=', now)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('reviews')
            .select('reviews.id')
            .whereRef('reviews.referral_id', '=', 'rewards.referral_id')
            .where('reviews.status', '=', 'open'),
        ),
      ),
    )
    .where(({ or, eb, exists, selectFrom }) =>
      or([
        eb('released_at', 'is not', null),
        exists(
          selectFrom('participants')
            .select('participants.id')
            .whereRef('participants.id', '=', 'rewards.participant_id')
            .where('participants.status', '=', 'active'),
        ),
      ]),
    )
    .orderBy('available_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export interface RewardFilter {
  participantId?: string | undefined;
  referralId?: string | undefined;
  status?: RewardRow['status'] | undefined;
  kind?: RewardRow['kind'] | undefined;
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
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  return fetchPage(query, page);
}

/** What the ledger check needs of every reward. */
export async function listRewardAmounts(db: Executor) {
  return db
    .selectFrom('rewards')
    .select(['id', 'status', 'amount', 'reversed_amount', 'currency', 'kind'])
    .orderBy('id')
    .execute();
}

/**
 * Rewards change one by one in id order (refunds, approvals) or, here, many at once. Taking their
 * row locks in that same order first means two such changes never deadlock on PostgreSQL.
 */
async function lockInIdOrder(db: Executor, where: (q: RewardIdQuery) => RewardIdQuery): Promise<string[]> {
  let query = where(db.selectFrom('rewards').select('id')).orderBy('id');
  if (isPostgres(db)) query = query.forNoKeyUpdate();
  return (await query.execute()).map((r) => r.id);
}

type RewardIdQuery = SelectQueryBuilder<Database, 'rewards', { id: string }>;

/** Updates rewards by id, in chunks that stay under SQLite's bound-parameter limit. */
async function updateByIds(db: Executor, ids: string[], changes: Partial<RewardRow>): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await db
      .updateTable('rewards')
      .set(changes)
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
  }
}

/**
 * Puts participants' approved, unpaid cash rewards into a payout run: all of them, or with
 * `releasedOnly` (disabled participants) only those an admin released.
 */
export async function attachRewardsToPayout(
  db: Executor,
  payout: { id: string; program_id: string; currency: string },
  participantIds: string[],
  releasedOnly = false,
): Promise<void> {
  for (let i = 0; i < participantIds.length; i += 500) {
    const ids = await lockInIdOrder(db, (q) => {
      const unpaid = q
        .where('participant_id', 'in', participantIds.slice(i, i + 500))
        .where('program_id', '=', payout.program_id)
        .where('currency', '=', payout.currency)
        .where('status', '=', 'approved')
        .where('kind', '=', 'cash')
        .where('payout_id', 'is', null);
      return releasedOnly ? unpaid.where('released_at', 'is not', null) : unpaid;
    });
    await updateByIds(db, ids, { payout_id: payout.id });
  }
}

/**
 * What a payout run may pay a disabled participant: their approved, unpaid cash rewards that an
 * admin released, per participant (the caller keeps it within the available balance).
 */
export async function releasedUnpaidAmounts(
  db: Executor,
  programId: string,
  currency: string,
  participantIds: string[],
): Promise<Map<string, number>> {
  const amounts = new Map<string, number>();
  for (let i = 0; i < participantIds.length; i += 500) {
    const rows = await db
      .selectFrom('rewards')
      .select([
        'participant_id',
        (eb) => eb.fn.sum<number | string>(eb('amount', '-', eb.ref('reversed_amount'))).as('left'),
      ])
      .where('participant_id', 'in', participantIds.slice(i, i + 500))
      .where('program_id', '=', programId)
      .where('currency', '=', currency)
      .where('status', '=', 'approved')
      .where('kind', '=', 'cash')
      .where('payout_id', 'is', null)
      .where('released_at', 'is not', null)
      .groupBy('participant_id')
      .execute();
    for (const row of rows) amounts.set(row.participant_id, Number(row.left));
  }
  return amounts;
}

/** The run was paid: its rewards that are still approved are now issued. Their ids. */
export async function issueRewardsOfPayout(db: Executor, payoutId: string, at: string) {
  let query = db
    .selectFrom('rewards')
    .select(['id', 'participant_id', 'kind', 'amount', 'reversed_amount', 'currency', 'code'])
    .where('payout_id', '=', payoutId)
    .where('status', '=', 'approved')
    .orderBy('id');
  if (isPostgres(db)) query = query.forNoKeyUpdate();
  const rewards = await query.execute();
  await updateByIds(
    db,
    rewards.map((r) => r.id),
    { status: 'issued', issued_at: at },
  );
  return rewards;
}

/** The run was canceled: its rewards wait for the next one. */
export async function detachRewardsFromPayout(db: Executor, payoutId: string): Promise<void> {
  const ids = await lockInIdOrder(db, (q) => q.where('payout_id', '=', payoutId));
  await updateByIds(db, ids, { payout_id: null });
}

/**
 * What the program, or one participant of it, has been rewarded since a time (or ever): rewards
 * not fully reversed, counted without milestone bonuses, and what is kept of them per currency.
 */
export async function rewardedSince(
  db: Executor,
  scope: { programId: string; participantId?: string; since?: string },
): Promise<{ count: number; amounts: Record<string, number> }> {
  let query = db
    .selectFrom('rewards')
    .select([
      'currency',
      (eb) => eb.fn.countAll<number | string>().filterWhere('side', '!=', 'referrer_milestone').as('n'),
      (eb) => eb.fn.sum<number | string>(eb('amount', '-', eb.ref('reversed_amount'))).as('kept'),
    ])
    .where('program_id', '=', scope.programId)
    .where('status', '!=', 'reversed')
    .groupBy('currency');
  if (scope.participantId) {
    query = query.where('participant_id', '=', scope.participantId).where('side', '!=', 'referee');
  }
  if (scope.since) query = query.where('created_at', '>=', scope.since);
  const spent = { count: 0, amounts: {} as Record<string, number> };
  for (const row of await query.execute()) {
    spent.count += Number(row.n);
    spent.amounts[row.currency] = Number(row.kept);
  }
  return spent;
}
