import type { Executor } from '../executor.ts';
import { prepared } from '../prepared.ts';

/** A click or code with its referrer and program, as attribution needs them: one query each. */
export interface TouchRow {
  code: string;
  click_id: string | null;
  clicked_at: string | null;
  program_id: string;
  program_status: 'active' | 'paused' | 'archived';
  attribution_window_days: number;
  /** JSON: the program's current rules, version `rules_version`. */
  program_rules: string;
  rules_version: number;
  reward_hold_days: number;
  referrer_id: string;
  referrer_external_id: string;
  referrer_email: string | null;
  referrer_status: 'active' | 'disabled';
}

const REFERRER_AND_PROGRAM = [
  'g.id as program_id',
  'g.status as program_status',
  'g.attribution_window_days',
  'g.rewards as program_rules',
  'g.rules_version',
  'g.reward_hold_days',
  'p.id as referrer_id',
  'p.external_id as referrer_external_id',
  'p.email as referrer_email',
  'p.status as referrer_status',
] as const;

const selectByClick = prepared((db, v: { clickId: string }) =>
  db
    .selectFrom('clicks as k')
    .innerJoin('participants as p', 'p.id', 'k.participant_id')
    .innerJoin('programs as g', 'g.id', 'k.program_id')
    .select(['k.code', 'k.id as click_id', 'k.occurred_at as clicked_at', ...REFERRER_AND_PROGRAM])
    .where('k.id', '=', v.clickId),
);

const selectByCode = prepared((db, v: { codeKey: string }) =>
  db
    .selectFrom('referral_codes as c')
    .innerJoin('participants as p', 'p.id', 'c.participant_id')
    .innerJoin('programs as g', 'g.id', 'c.program_id')
    .select(['c.code', ...REFERRER_AND_PROGRAM])
    .where('c.code_key', '=', v.codeKey),
);

export async function findTouchByClick(db: Executor, clickId: string): Promise<TouchRow | undefined> {
  return (await selectByClick(db, { clickId })).rows[0];
}

export async function findTouchByCode(db: Executor, codeKey: string): Promise<TouchRow | undefined> {
  const row = (await selectByCode(db, { codeKey })).rows[0];
  return row && { ...row, click_id: null, clicked_at: null };
}
