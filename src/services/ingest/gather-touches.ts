import type { AttributionTouch, TouchSource } from '../../domain/attribution.ts';
import { codeKey } from '../../domain/referral-codes.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import type { InTransaction } from '../../store/executor.ts';
import {
  findDeviceTouches,
  findInviteTouches,
  findTouchByClick,
  findTouchByCode,
  type TouchRow,
} from '../../store/repositories/touches.ts';
import type { IdentityKeys } from '../identity/identity-keys.ts';

export interface ReferralHint {
  code?: string | undefined;
  click_id?: string | undefined;
}

/** A touch with what its program needs once it is chosen, still as stored. */
export interface GatheredTouch extends AttributionTouch {
  stored: TouchRow;
}

function toTouch(source: TouchSource, row: TouchRow, touchId: string | null, touchedAt: string | null) {
  return {
    source,
    touchId,
    code: row.code,
    clickId: row.click_id,
    touchedAt: touchedAt ? new Date(touchedAt) : null,
    program: {
      id: row.program_id,
      active: row.program_status === 'active',
      windowDays: row.attribution_window_days,
      model: row.attribution_model,
    },
    referrer: {
      id: row.referrer_id,
      externalId: row.referrer_external_id,
      email: row.referrer_email,
      status: row.referrer_status,
    },
    stored: row,
  } satisfies GatheredTouch;
}

/**
 * Every touch a sign-up may be credited to, strongest source first: the click id and code it
 * carries, invites to its email, and clicks from its device. An explicit click id or code that
 * names nothing, or another program than the event's, is the client's error, not a fallback; an
 * unknown click id falls back to the code when one is given (the redirect hands out both).
 */
export async function gatherTouches(
  db: InTransaction,
  hint: ReferralHint | undefined,
  keys: IdentityKeys,
  programId: string | null,
): Promise<GatheredTouch[]> {
  const touches: GatheredTouch[] = [];
  if (hint?.click_id) {
    const click = await findTouchByClick(db, hint.click_id);
    if (click) touches.push(toTouch('click', click, click.click_id, click.clicked_at));
    else if (!hint.code) throw notFound('click', hint.click_id, 'referral.click_id');
  }
  if (hint?.code) {
    const code = await findTouchByCode(db, codeKey(hint.code.trim()));
    if (!code) throw new AppError('resource_missing', `No referral code '${hint.code}'.`, 'referral.code');
    touches.push(toTouch('code', code, null, null));
  }
  for (const touch of touches) {
    if (programId !== null && touch.program.id !== programId) {
      const param = touch.source === 'click' ? 'referral.click_id' : 'referral.code';
      throw new AppError(
        'program_mismatch',
        `The referral belongs to another program than ${programId}.`,
        param,
      );
    }
  }
  if (keys.emailHash) {
    for (const invite of await findInviteTouches(db, keys.emailHash)) {
      touches.push(toTouch('invite', invite, invite.invite_id, invite.invited_at));
    }
  }
  if (keys.deviceId) {
    for (const click of await findDeviceTouches(db, keys.deviceId)) {
      if (click.click_id !== hint?.click_id) {
        touches.push(toTouch('device', click, click.click_id, click.clicked_at));
      }
    }
  }
  return touches;
}
