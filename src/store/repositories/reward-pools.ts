import { type Executor, fetchPage, type Page, type PageRequest } from '../executor.ts';
import type { RewardPoolCodesTable, RewardPoolsTable } from '../schema.ts';

export type RewardPoolRow = RewardPoolsTable;

export async function insertPool(db: Executor, row: RewardPoolRow): Promise<void> {
  await db.insertInto('reward_pools').values(row).execute();
}

export function findPool(db: Executor, id: string): Promise<RewardPoolRow | undefined> {
  return db.selectFrom('reward_pools').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listPoolRows(
  db: Executor,
  filter: { programId?: string | undefined },
  page: PageRequest,
): Promise<Page<RewardPoolRow>> {
  let query = db.selectFrom('reward_pools').selectAll();
  if (filter.programId) query = query.where('program_id', '=', filter.programId);
  return fetchPage(query, page);
}

/** Adds codes, skipping those the pool has already; how many were new. */
export async function insertCodes(db: Executor, rows: RewardPoolCodesTable[]): Promise<number> {
  let added = 0;
  // In chunks that stay under SQLite's bound-parameter limit.
  for (let i = 0; i < rows.length; i += 1000) {
    const result = await db
      .insertInto('reward_pool_codes')
      .values(rows.slice(i, i + 1000))
      .onConflict((oc) => oc.columns(['pool_id', 'code']).doNothing())
      .executeTakeFirst();
    added += Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
  return added;
}

export async function countCodes(
  db: Executor,
  poolId: string,
): Promise<{ available: number; drawn: number }> {
  const row = await db
    .selectFrom('reward_pool_codes')
    .select([
      (eb) => eb.fn.countAll<number | string>().filterWhere('reward_id', 'is', null).as('available'),
      (eb) => eb.fn.countAll<number | string>().filterWhere('reward_id', 'is not', null).as('drawn'),
    ])
    .where('pool_id', '=', poolId)
    .executeTakeFirstOrThrow();
  return { available: Number(row.available), drawn: Number(row.drawn) };
}

/** Takes the pool's oldest code not drawn yet for a reward; null when the pool is empty. */
export async function drawCode(db: Executor, poolId: string, rewardId: string, at: string) {
  const query = db
    .selectFrom('reward_pool_codes')
    .select(['id', 'code'])
    .where('pool_id', '=', poolId)
    .where('reward_id', 'is', null)
    .orderBy('id')
    .limit(1);
  const code = await query.executeTakeFirst();
  if (!code) return null;
  await db
    .updateTable('reward_pool_codes')
    .set({ reward_id: rewardId, drawn_at: at })
    .where('id', '=', code.id)
    .execute();
  return code.code;
}

/** Rewards of a pool approved while it was empty, oldest first: new codes go to them. */
export async function listWaitingRewardIds(db: Executor, poolId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('rewards')
    .select('id')
    .where('pool_id', '=', poolId)
    .where('status', '=', 'approved')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}
