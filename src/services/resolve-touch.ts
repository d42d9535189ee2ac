import type { AttributionTouch } from '../domain/attribution.ts';
import { codeKey } from '../domain/referral-codes.ts';
import { AppError, notFound } from '../lib/errors.ts';
import type { Executor } from '../store/executor.ts';
import { findClick } from '../store/repositories/clicks.ts';
import { findCode, findParticipant } from '../store/repositories/participants.ts';

export interface ReferralHint {
  code?: string | undefined;
  click_id?: string | undefined;
}

export interface ResolvedTouch extends AttributionTouch {
  programId: string;
}

/**
 * Finds the touch a sign-up carries. A click id outranks a typed code; an unknown click id falls
 * back to the code when one is given (the redirect always hands out both).
 */
export async function resolveTouch(db: Executor, hint: ReferralHint): Promise<ResolvedTouch | null> {
  let source: { method: 'click' | 'code'; participantId: string; programId: string; code: string } | null =
    null;
  let clickId: string | null = null;
  let touchedAt: Date | null = null;

  if (hint.click_id) {
    const click = await findClick(db, hint.click_id);
    if (click) {
      source = {
        method: 'click',
        participantId: click.participant_id,
        programId: click.program_id,
        code: click.code,
      };
      clickId = click.id;
      touchedAt = new Date(click.occurred_at);
    } else if (!hint.code) {
      throw notFound('click', hint.click_id, 'referral.click_id');
    }
  }
  if (!source && hint.code) {
    const code = await findCode(db, codeKey(hint.code.trim()));
    if (!code) throw new AppError('resource_missing', `No referral code '${hint.code}'.`, 'referral.code');
    source = {
      method: 'code',
      participantId: code.participant_id,
      programId: code.program_id,
      code: code.code,
    };
  }
  if (!source) return null;

  const referrer = await findParticipant(db, source.participantId);
  if (!referrer) throw new Error(`referral code ${source.code} points at a missing participant`);
  return {
    method: source.method,
    code: source.code,
    clickId,
    touchedAt,
    programId: source.programId,
    referrer: {
      id: referrer.id,
      externalId: referrer.external_id,
      email: referrer.email,
      status: referrer.status,
    },
  };
}
