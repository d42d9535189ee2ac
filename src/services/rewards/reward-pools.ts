import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Executor, InTransaction, Page, PageRequest } from '../../store/executor.ts';
import { lockRow } from '../../store/locks.ts';
import {
  countCodes,
  findPool,
  insertCodes,
  insertPool,
  listPoolRows,
  listWaitingRewardIds,
  type RewardPoolRow,
} from '../../store/repositories/reward-pools.ts';
import { findReward } from '../../store/repositories/rewards.ts';
import { type Actor, audit } from '../audit.ts';
import { getProgram } from '../programs/programs.ts';
import { fulfil } from './fulfilment.ts';

export interface RewardPool extends RewardPoolRow {
  available: number;
  drawn: number;
}

export interface PoolInput {
  program_id: string;
  kind: RewardPoolRow['kind'];
  name: string;
  low_stock_threshold?: number | undefined;
}

const DEFAULT_LOW_STOCK = 10;

async function withCounts(db: Executor, pool: RewardPoolRow): Promise<RewardPool> {
  return { ...pool, ...(await countCodes(db, pool.id)) };
}

export async function createPool(
  db: InTransaction,
  input: PoolInput,
  now: Date,
  actor: Actor,
): Promise<RewardPool> {
  await getProgram(db, input.program_id, 'program_id');
  const name = input.name.trim();
  if (name === '') throw new AppError('invalid_value', 'name must not be blank.', 'name');
  const pool: RewardPoolRow = {
    id: newId('rpl'),
    program_id: input.program_id,
    kind: input.kind,
    name,
    low_stock_threshold: input.low_stock_threshold ?? DEFAULT_LOW_STOCK,
    created_at: now.toISOString(),
  };
  await insertPool(db, pool);
  await audit(db, actor, now, [{ action: 'reward_pool.created', subjectId: pool.id, details: { name } }]);
  return { ...pool, available: 0, drawn: 0 };
}

export async function getPool(db: Executor, id: string): Promise<RewardPool> {
  const pool = await findPool(db, id);
  if (!pool) throw notFound('reward_pool', id);
  return withCounts(db, pool);
}

export async function listPools(
  db: Executor,
  filter: { programId?: string | undefined },
  page: PageRequest,
): Promise<Page<RewardPool>> {
  const rows = await listPoolRows(db, filter, page);
  return { ...rows, data: await Promise.all(rows.data.map((pool) => withCounts(db, pool))) };
}

/**
 * Adds codes to a pool; codes it has already are skipped, so an upload can be retried whole.
 * Rewards that were approved while the pool was empty get theirs at once, oldest first.
 */
export async function addCodes(
  db: InTransaction,
  id: string,
  codes: readonly string[],
  now: Date,
  actor: Actor,
): Promise<{ added: number; skipped: number; fulfilled: string[]; pool: RewardPool }> {
  // Uploads of one pool take turns (PostgreSQL), so waiting rewards are handed codes once each.
  await lockRow(db, 'reward_pools', id);
  await getPool(db, id);
  const at = now.toISOString();
  const unique = [...new Set(codes.map((code, i) => checkCode(code, i)))];
  const rows = unique.map((code) => ({
    id: newId('rpc'),
    pool_id: id,
    code,
    reward_id: null,
    created_at: at,
    drawn_at: null,
  }));
  const added = await insertCodes(db, rows);
  const fulfilled: string[] = [];
  for (const rewardId of await listWaitingRewardIds(db, id)) {
    await lockRow(db, 'rewards', rewardId);
    const reward = await findReward(db, rewardId);
    if (reward?.status !== 'approved') continue;
    const after = await fulfil(db, reward, now, actor);
    if (after.status !== 'issued') break;
    fulfilled.push(rewardId);
  }
  await audit(db, actor, now, [
    { action: 'reward_pool.codes_added', subjectId: id, details: { added, fulfilled: fulfilled.length } },
  ]);
  return { added, skipped: codes.length - added, fulfilled, pool: await getPool(db, id) };
}

function checkCode(code: string, index: number): string {
  const trimmed = code.trim();
  if (trimmed === '' || /\s/.test(trimmed)) {
    throw new AppError('invalid_code', `codes.${index} must be a code without spaces.`, `codes.${index}`);
  }
  return trimmed;
}
