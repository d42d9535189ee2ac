import { codeKey, isPossibleCode } from '../../domain/referral-codes.ts';
import type { RewardRules } from '../../domain/reward-rules.ts';
import { firstNameOf } from '../../domain/shown-identity.ts';
import type { Executor } from '../../store/executor.ts';
import { findShareTarget } from '../../store/repositories/participants.ts';
import { rulesOf } from '../programs/programs.ts';

/** An invitation as the friend who opens a referrer's share page sees it. */
export interface Invitation {
  code: string;
  /** The referrer's first name, never their full name; null when the business sent none. */
  referrerFirstName: string | null;
  programName: string;
  rules: RewardRules;
  /** How long the device keeps the invitation once followed. */
  windowDays: number;
}

/**
 * The invitation behind a code, when it can still be followed: the code exists, its referrer is
 * active and so is the program (the same rule as the referral link's). Null otherwise.
 */
export async function findInvitation(db: Executor, code: string): Promise<Invitation | null> {
  if (!isPossibleCode(code)) return null;
  const row = await findShareTarget(db, codeKey(code));
  if (row?.participant_status !== 'active' || row.program_status !== 'active') return null;
  return {
    code: row.code,
    referrerFirstName: firstNameOf(row.referrer_name),
    programName: row.program_name,
    rules: rulesOf(row),
    windowDays: row.attribution_window_days,
  };
}
