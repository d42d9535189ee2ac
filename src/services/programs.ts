import type { ProgramRewards } from '../domain/qualification.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { parseMoney } from '../lib/money.ts';
import type { Executor, Page, PageRequest } from '../store/executor.ts';
import {
  findProgram,
  insertProgram,
  listProgramRows,
  type ProgramRow,
  updateProgramRow,
} from '../store/repositories/programs.ts';

export type { ProgramRow };

interface RewardInput {
  amount: number;
  currency: string;
}

export interface ProgramInput {
  name: string;
  landing_url: string;
  rewards: { referrer?: RewardInput | null; referee?: RewardInput | null };
  attribution_window_days?: number;
}

export interface ProgramPatch {
  name?: string;
  landing_url?: string;
  rewards?: ProgramInput['rewards'];
  attribution_window_days?: number;
  status?: ProgramRow['status'];
}

export const DEFAULT_WINDOW_DAYS = 30;

/** Only absolute http(s) URLs without credentials: the redirect sends visitors here. */
export function checkLandingUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('invalid_url', 'landing_url must be an absolute http(s) URL.', 'landing_url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('invalid_url', 'landing_url must use http or https.', 'landing_url');
  }
  if (url.username || url.password) {
    throw new AppError('invalid_url', 'landing_url must not contain credentials.', 'landing_url');
  }
  return url.toString();
}

/** The schema checks the length as sent; a name of only spaces would be stored empty. */
function checkName(value: string): string {
  const name = value.trim();
  if (!name) throw new AppError('invalid_length', 'name must not be blank.', 'name');
  return name;
}

function checkRewards(input: ProgramInput['rewards']): ProgramRewards {
  const side = (name: 'referrer' | 'referee') => {
    const reward = input[name];
    return reward ? parseMoney(reward.amount, reward.currency, `rewards.${name}`) : null;
  };
  const rewards = { referrer: side('referrer'), referee: side('referee') };
  if (!rewards.referrer && !rewards.referee) {
    throw new AppError('missing_field', 'rewards needs a referrer or a referee reward, or both.', 'rewards');
  }
  return rewards;
}

export async function createProgram(db: Executor, input: ProgramInput, now: Date): Promise<ProgramRow> {
  const at = now.toISOString();
  const row: ProgramRow = {
    id: newId('prg'),
    name: checkName(input.name),
    landing_url: checkLandingUrl(input.landing_url),
    status: 'active',
    rewards: JSON.stringify(checkRewards(input.rewards)),
    attribution_window_days: input.attribution_window_days ?? DEFAULT_WINDOW_DAYS,
    created_at: at,
    updated_at: at,
  };
  await insertProgram(db, row);
  return row;
}

export async function getProgram(db: Executor, id: string, param?: string): Promise<ProgramRow> {
  const row = await findProgram(db, id);
  if (!row) throw notFound('program', id, param);
  return row;
}

export async function updateProgram(
  db: Executor,
  id: string,
  patch: ProgramPatch,
  now: Date,
): Promise<ProgramRow> {
  const current = await getProgram(db, id);
  const changes: Partial<ProgramRow> = { updated_at: now.toISOString() };
  if (patch.name !== undefined) changes.name = checkName(patch.name);
  if (patch.landing_url !== undefined) changes.landing_url = checkLandingUrl(patch.landing_url);
  if (patch.rewards !== undefined) changes.rewards = JSON.stringify(checkRewards(patch.rewards));
  if (patch.attribution_window_days !== undefined)
    changes.attribution_window_days = patch.attribution_window_days;
  if (patch.status !== undefined) changes.status = patch.status;
  await updateProgramRow(db, id, changes);
  return { ...current, ...changes };
}

export async function listPrograms(db: Executor, page: PageRequest): Promise<Page<ProgramRow>> {
  return listProgramRows(db, page);
}
