import type { AttributionTouch } from '../domain/attribution.ts';
import { codeKey } from '../domain/referral-codes.ts';
import { normalizeRules, type RewardRules } from '../domain/reward-rules.ts';
import { AppError, notFound } from '../lib/errors.ts';
import type { Executor } from '../store/executor.ts';
import { findTouchByClick, findTouchByCode, type TouchRow } from '../store/repositories/touches.ts';

export interface ReferralHint {
  code?: string | undefined;
  click_id?: string | undefined;
}

export interface ResolvedTouch extends AttributionTouch {
  program: {
    id: string;
    status: TouchRow['program_status'];
    windowDays: number;
    rules: RewardRules;
    rulesVersion: number;
    holdDays: number;
  };
}

function toTouch(row: TouchRow): ResolvedTouch {
  return {
    method: row.click_id ? 'click' : 'code',
    code: row.code,
    clickId: row.click_id,
    touchedAt: row.clicked_at ? new Date(row.clicked_at) : null,
    program: {
      id: row.program_id,
      status: row.program_status,
      windowDays: row.attribution_window_days,
      rules: normalizeRules(JSON.parse(row.program_rules)),
      rulesVersion: row.rules_version,
      holdDays: row.reward_hold_days,
    },
    referrer: {
      id: row.referrer_id,
      externalId: row.referrer_external_id,
      email: row.referrer_email,
      status: row.referrer_status,
    },
  };
}

/**
 * Finds the touch a sign-up carries. A click id outranks a typed code; an unknown click id falls
 * back to the code when one is given (the redirect always hands out both).
 */
export async function resolveTouch(db: Executor, hint: ReferralHint): Promise<ResolvedTouch | null> {
  if (hint.click_id) {
    const click = await findTouchByClick(db, hint.click_id);
    if (click) return toTouch(click);
    if (!hint.code) throw notFound('click', hint.click_id, 'referral.click_id');
  }
  if (!hint.code) return null;
  const code = await findTouchByCode(db, codeKey(hint.code.trim()));
  if (!code) throw new AppError('resource_missing', `No referral code '${hint.code}'.`, 'referral.code');
  return toTouch(code);
}
