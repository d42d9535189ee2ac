import { randomBytes } from 'node:crypto';
import { rewardPosting } from '../../domain/ledger.ts';
import { type Fulfilment, generateCode, parseCodePattern } from '../../domain/reward-kinds.ts';
import { newId } from '../../lib/ids.ts';
import type { InTransaction } from '../../store/executor.ts';
import { lockRow } from '../../store/locks.ts';
import { insertTask } from '../../store/repositories/fulfilment-tasks.ts';
import { insertPostings } from '../../store/repositories/ledger.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import { countCodes, drawCode, findPool } from '../../store/repositories/reward-pools.ts';
import { type RewardRow, updateRewardIfUnchanged } from '../../store/repositories/rewards.ts';
import { type Actor, audit } from '../audit.ts';
import { outboxMessage } from '../outbox-message.ts';

// Delivers rewards in kind. Runs in the transaction that approves the reward (or that completes
// its task, or fills its pool), with the reward's row already written or locked there, so no
// other change of the reward can come between.

export const fulfilmentOf = (reward: RewardRow): Fulfilment =>
  reward.fulfilment ? JSON.parse(reward.fulfilment) : { method: 'payout' };

/** The holder of a reward's ledger entries. */
export const holderOf = (reward: RewardRow) => ({
  participantId: reward.participant_id,
  currency: reward.currency,
  cash: reward.kind === 'cash',
});

/**
 * Delivers an approved reward as its kind says: cash waits for a payout run; credit and points are
 * granted now; a coupon gets a code made or drawn now; a task waits for an admin. A pool found
 * empty leaves the reward approved until codes are added.
 */
export async function fulfil(
  db: InTransaction,
  reward: RewardRow,
  now: Date,
  actor: Actor,
): Promise<RewardRow> {
  const fulfilment = fulfilmentOf(reward);
  switch (fulfilment.method) {
    case 'payout':
      return reward;
    case 'grant':
      return issueReward(db, reward, {}, now, actor);
    case 'generate': {
      const pattern = parseCodePattern(fulfilment.code_pattern);
      if (!pattern) throw new Error(`reward ${reward.id} has an invalid code pattern`);
      const code = generateCode(pattern, randomBytes(pattern.length));
      return issueReward(db, reward, { code }, now, actor);
    }
    case 'pool':
      return drawFromPool(db, reward, fulfilment.pool_id, now, actor);
    case 'task':
      await openTask(db, reward, fulfilment.description, now);
      return reward;
  }
}

/** What was delivered: a code, or the fulfiller's reference (a gift-card order id). */
export interface Delivered {
  code?: string | null | undefined;
  reference?: string | null | undefined;
}

/** Marks an approved reward in kind delivered: its value moves on to the issued account. */
export async function issueReward(
  db: InTransaction,
  reward: RewardRow,
  delivered: Delivered,
  now: Date,
  actor: Actor,
): Promise<RewardRow> {
  const changes = {
    status: 'issued' as const,
    issued_at: now.toISOString(),
    code: delivered.code ?? reward.code,
    fulfilment_reference: delivered.reference ?? null,
  };
  if (!(await updateRewardIfUnchanged(db, reward, changes))) {
    throw new Error(`reward ${reward.id} changed while it was being issued`);
  }
  const amount = reward.amount - reward.reversed_amount;
  const entries = rewardPosting(holderOf(reward), 'approved', 'issued', amount);
  const posting = { id: newId('pst'), programId: reward.program_id, rewardId: reward.id, entries };
  await insertPostings(db, [posting], now.toISOString(), () => newId('led'));
  const payload = {
    reward_id: reward.id,
    participant_id: reward.participant_id,
    kind: reward.kind,
    amount,
    currency: reward.currency,
    code: changes.code,
    payout_id: null,
  };
  await enqueue(db, [outboxMessage('reward.issued', payload, now)]);
  await audit(db, actor, now, [
    { action: 'reward.issued', subjectId: reward.id, details: { kind: reward.kind, amount } },
  ]);
  return { ...reward, ...changes };
}

async function drawFromPool(
  db: InTransaction,
  reward: RewardRow,
  poolId: string,
  now: Date,
  actor: Actor,
): Promise<RewardRow> {
  // Draws and uploads of one pool take turns (PostgreSQL): each count of what is left is exact,
  // so the low-stock alert fires once, and a reward found waiting is never missed by an upload.
  await lockRow(db, 'reward_pools', poolId);
  const pool = await findPool(db, poolId);
  if (!pool) throw new Error(`reward ${reward.id} names pool ${poolId}, which does not exist`);
  const code = await drawCode(db, poolId, reward.id, now.toISOString());
  const { available } = await countCodes(db, poolId);
  const alert = { pool_id: poolId, program_id: pool.program_id, available };
  if (!code) {
    await enqueue(db, [outboxMessage('reward_pool.empty', { ...alert, reward_id: reward.id }, now)]);
    return reward;
  }
  // Raised once, on the draw that reaches the threshold, not on every draw below it.
  if (available === pool.low_stock_threshold) {
    const low = { ...alert, threshold: pool.low_stock_threshold };
    await enqueue(db, [outboxMessage('reward_pool.low', low, now)]);
  }
  return issueReward(db, reward, { code }, now, actor);
}

async function openTask(db: InTransaction, reward: RewardRow, description: string, now: Date): Promise<void> {
  const task = {
    id: newId('tsk'),
    program_id: reward.program_id,
    reward_id: reward.id,
    description,
    status: 'open' as const,
    created_at: now.toISOString(),
    completed_at: null,
    completed_by: null,
    note: null,
  };
  await insertTask(db, task);
  const payload = {
    task_id: task.id,
    reward_id: reward.id,
    participant_id: reward.participant_id,
    side: reward.side,
    kind: reward.kind,
    amount: reward.amount,
    currency: reward.currency,
    description,
  };
  await enqueue(db, [outboxMessage('fulfilment.requested', payload, now)]);
}
