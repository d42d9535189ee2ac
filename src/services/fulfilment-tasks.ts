import { AppError, notFound } from '../lib/errors.ts';
import type { Executor, Page, PageRequest } from '../store/executor.ts';
import { lockRow } from '../store/locks.ts';
import {
  closeTaskIfOpen,
  type FulfilmentTaskRow,
  findTask,
  listTaskRows,
  type TaskFilter,
} from '../store/repositories/fulfilment-tasks.ts';
import { findReward } from '../store/repositories/rewards.ts';
import { type Actor, audit } from './audit.ts';
import { type Delivered, issueReward } from './fulfilment.ts';

export type { FulfilmentTaskRow };

export async function getTask(db: Executor, id: string): Promise<FulfilmentTaskRow> {
  const task = await findTask(db, id);
  if (!task) throw notFound('fulfilment_task', id);
  return task;
}

export function listTasks(
  db: Executor,
  filter: TaskFilter,
  page: PageRequest,
): Promise<Page<FulfilmentTaskRow>> {
  return listTaskRows(db, filter, page);
}

/**
 * An admin (or a fulfilment adapter, through the API) reports the task done: the reward is
 * issued, with the code or reference given. Its reward is locked first, so a clawback racing the
 * completion comes strictly before (the task is then canceled) or after.
 */
export async function completeTask(
  db: Executor,
  id: string,
  input: Delivered & { note?: string | undefined },
  now: Date,
  actor: Actor,
): Promise<FulfilmentTaskRow> {
  const task = await getTask(db, id);
  await lockRow(db, 'rewards', task.reward_id);
  const changes = {
    status: 'done' as const,
    completed_at: now.toISOString(),
    completed_by: actor,
    note: input.note ?? null,
  };
  if (!(await closeTaskIfOpen(db, { id }, changes))) {
    const latest = await getTask(db, id);
    throw new AppError(
      'task_not_open',
      `Task '${id}' is ${latest.status}; only an open task can be completed.`,
    );
  }
  const reward = await findReward(db, task.reward_id);
  if (reward?.status !== 'approved') throw new Error(`task ${id} was open for a ${reward?.status} reward`);
  await issueReward(db, reward, input, now, actor);
  await audit(db, actor, now, [
    {
      action: 'fulfilment_task.completed',
      subjectId: id,
      details: { reward_id: reward.id, note: changes.note },
    },
  ]);
  return { ...task, ...changes };
}

/** A reward clawed back before its task was done: the task has nothing left to deliver. */
export async function cancelTaskOfReward(
  db: Executor,
  rewardId: string,
  now: Date,
  actor: Actor,
): Promise<void> {
  const changes = {
    status: 'canceled' as const,
    completed_at: now.toISOString(),
    completed_by: actor,
    note: null,
  };
  await closeTaskIfOpen(db, { rewardId }, changes);
}
