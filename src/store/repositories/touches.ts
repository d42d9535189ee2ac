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
  attribution_model: 'first_touch' | 'last_touch';
  /** JSON: the program's current rules, version `rules_version`. */
  program_rules: string;
  rules_version: number;
  reward_hold_days: number;
  /** JSON: the program's fraud settings as sent. */
  fraud_settings: string;
  referrer_id: string;
  referrer_external_id: string;
  referrer_email: string | null;
  referrer_status: 'active' | 'disabled';
}

const REFERRER_AND_PROGRAM = [
  'g.id as program_id',
  'g.status as program_status',
  'g.attribution_window_days',
  'g.attribution_model',
  'g.rewards as program_rules',
  'g.rules_version',
  'g.reward_hold_days',
  'g.fraud_settings',
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

/** An invite (or a lead left after a click) for an email, with its referrer and program. */
export interface InviteTouchRow extends TouchRow {
  invite_id: string;
  invited_at: string;
}

// A person is rarely invited by more than a handful of referrers; past that, the newest count.
const MAX_TOUCHES = 20;

const selectInvites = prepared((db, v: { emailHash: string }) =>
  db
    .selectFrom('invites as i')
    .innerJoin('participants as p', 'p.id', 'i.referrer_id')
    .innerJoin('programs as g', 'g.id', 'i.program_id')
    .select([
      'p.referral_code as code',
      'i.click_id',
      'i.id as invite_id',
      'i.created_at as invited_at',
      ...REFERRER_AND_PROGRAM,
    ])
    .where('i.email_hash', '=', v.emailHash)
    .orderBy('i.id', 'desc')
    .limit(MAX_TOUCHES),
);

export async function findInviteTouches(db: Executor, emailHash: string): Promise<InviteTouchRow[]> {
  return (await selectInvites(db, { emailHash })).rows.map((row) => ({ ...row, clicked_at: null }));
}

const selectDeviceClicks = prepared((db, v: { deviceId: string }) =>
  db
    .selectFrom('clicks as k')
    .innerJoin('participants as p', 'p.id', 'k.participant_id')
    .innerJoin('programs as g', 'g.id', 'k.program_id')
    .select(['k.code', 'k.id as click_id', 'k.occurred_at as clicked_at', ...REFERRER_AND_PROGRAM])
    .where('k.device_id', '=', v.deviceId)
    .orderBy('k.id', 'desc')
    .limit(MAX_TOUCHES),
);

/** The newest clicks made from one browser (its vouch_device cookie). */
export async function findDeviceTouches(db: Executor, deviceId: string): Promise<TouchRow[]> {
  return (await selectDeviceClicks(db, { deviceId })).rows;
}
