import { AppError, notFound } from '../../lib/errors.ts';
import type { Executor, InTransaction, Page, PageRequest } from '../../store/executor.ts';
import { lockRow } from '../../store/locks.ts';
import {
  closeTaskIfOpen,
  type FulfilmentTaskRow,
  findRecipients,
  findTask,
  listTaskRows,
  type TaskFilter,
  type TaskRecipientRow,
} from '../../store/repositories/fulfilment-tasks.ts';
import { findReward } from '../../store/repositories/rewards.ts';
import { type Actor, audit } from '../audit.ts';
import { type Delivered, issueReward } from './fulfilment.ts';

export type { FulfilmentTaskRow };

/** A task with who its reward goes to and what it is, so a fulfiller needs no other look-up. */
export type FulfilmentTaskView = FulfilmentTaskRow & { recipient: TaskRecipientRow };

async function withRecipients(db: Executor, tasks: FulfilmentTaskRow[]): Promise<FulfilmentTaskView[]> {
  const recipients = await findRecipients(
    db,
    tasks.map((t) => t.reward_id),
  );
  return tasks.map((task) => {
    const recipient = recipients.get(task.reward_id);
    if (!recipient) throw new Error(`task ${task.id} names reward ${task.reward_id}, which does not exist`);
    return { ...task, recipient };
  });
}

async function findTaskRow(db: Executor, id: string): Promise<FulfilmentTaskRow> {
  const task = await findTask(db, id);
  if (!task) throw notFound('fulfilment_task', id);
  return task;
}

export async function getTask(db: Executor, id: string): Promise<FulfilmentTaskView> {
  const [view] = await withRecipients(db, [await findTaskRow(db, id)]);
  return view as FulfilmentTaskView;
}

export async function listTasks(
  db: Executor,
  filter: TaskFilter,
  page: PageRequest,
): Promise<Page<FulfilmentTaskView>> {
  const rows = await listTaskRows(db, filter, page);
  return { ...rows, data: await withRecipients(db, rows.data) };
}

/**
 * An admin (or a fulfilment adapter, through the API) reports the task done: the reward is
 * issued, with the code or reference given. Its reward is locked first, so a clawback racing the
 * completion comes strictly before (the task is then canceled) or after.
 */
export async function completeTask(
  db: InTransaction,
  id: string,
  input: Delivered & { note?: string | undefined },
  now: Date,
  actor: Actor,
): Promise<FulfilmentTaskView> {
  const task = await getTask(db, id);
  await lockRow(db, 'rewards', task.reward_id);
  const changes = {
    status: 'done' as const,
    completed_at: now.toISOString(),
    completed_by: actor,
    note: input.note ?? null,
  };
  if (!(await closeTaskIfOpen(db, { id }, changes))) {
    const latest = await findTaskRow(db, id);
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
  db: InTransaction,
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
