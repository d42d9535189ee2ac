/**
 * Decides which touch a sign-up is attributed to, and whether it makes a referral. Pure:
 * everything it needs is passed in, including the time.
 */
import { normalizeEmail } from './identity.ts';

/** Where a touch comes from, strongest first: the documented precedence. */
export const SOURCE_PRECEDENCE = ['click', 'code', 'invite', 'device'] as const;
export type TouchSource = (typeof SOURCE_PRECEDENCE)[number];
export type AttributionModel = 'first_touch' | 'last_touch';

export interface AttributionTouch {
  source: TouchSource;
  /** The click or invite id; null for a code typed at sign-up. */
  touchId: string | null;
  code: string;
  clickId: string | null;
  /** When the touch happened; null for a code typed at sign-up, which happens with it. */
  touchedAt: Date | null;
  program: { id: string; active: boolean; windowDays: number; model: AttributionModel };
  referrer: { id: string; externalId: string; email: string | null; status: 'active' | 'disabled' };
}

export type LostReason =
  | 'lower_precedence'
  | 'not_first_touch'
  | 'not_last_touch'
  | 'outside_window'
  | 'other_program'
  | 'program_not_active'
  | 'referrer_disabled';

export interface TrailEntry {
  source: TouchSource;
  touch_id: string | null;
  code: string;
  referrer_id: string;
  program_id: string;
  touched_at: string | null;
  outcome: 'chosen' | 'lost';
  reason: LostReason | null;
}

/** Why a referral was credited to whom: stored with it, and shown to admins. */
export interface AttributionTrail {
  model: AttributionModel;
  /** What chose the touch: the only one left, precedence between sources, or the model among equals. */
  rule: 'only_touch' | 'source_precedence' | AttributionModel | null;
  chosen: TrailEntry | null;
  considered: TrailEntry[];
}

const DAY_MS = 86_400_000;

function rank(source: TouchSource): number {
  return SOURCE_PRECEDENCE.indexOf(source);
}

/** Why a touch cannot be credited at all, whatever the others are. */
function disqualified(touch: AttributionTouch, at: Date, programId: string | null): LostReason | null {
  if (programId !== null && touch.program.id !== programId) return 'other_program';
  if (!touch.program.active) return 'program_not_active';
  if (touch.referrer.status !== 'active') return 'referrer_disabled';
  const age = touch.touchedAt ? at.getTime() - touch.touchedAt.getTime() : 0;
  if (age > touch.program.windowDays * DAY_MS) return 'outside_window';
  return null;
}

function entry(touch: AttributionTouch, reason: LostReason | null): TrailEntry {
  return {
    source: touch.source,
    touch_id: touch.touchId,
    code: touch.code,
    referrer_id: touch.referrer.id,
    program_id: touch.program.id,
    touched_at: touch.touchedAt?.toISOString() ?? null,
    outcome: reason === null ? 'chosen' : 'lost',
    reason,
  };
}

/**
 * Picks the touch to credit: the strongest source wins (click id > typed code > invite by email >
 * device match); among touches of that source, the program's model picks the first or the last.
 * A typed code counts as touched at sign-up. Ties keep the order the touches came in.
 */
export function chooseTouch<T extends AttributionTouch>(
  touches: readonly T[],
  at: Date,
  programId: string | null,
): { chosen: T | null; trail: AttributionTrail } {
  const eligible = touches.filter((t) => disqualified(t, at, programId) === null);
  const best = eligible.reduce<T | null>((a, t) => (a && rank(a.source) <= rank(t.source) ? a : t), null);
  const model = best?.program.model ?? touches[0]?.program.model ?? 'last_touch';
  const when = (t: AttributionTouch) => (t.touchedAt ?? at).getTime();
  const peers = best ? eligible.filter((t) => t.source === best.source) : [];
  const chosen = peers.reduce<T | null>((a, t) => {
    if (!a) return t;
    return (model === 'last_touch' ? when(t) > when(a) : when(t) < when(a)) ? t : a;
  }, null);

  const considered = touches.map((t) => {
    if (t === chosen) return entry(t, null);
    const reason = disqualified(t, at, programId);
    if (reason) return entry(t, reason);
    if (t.source !== chosen?.source) return entry(t, 'lower_precedence');
    return entry(t, model === 'last_touch' ? 'not_last_touch' : 'not_first_touch');
  });
  let rule: AttributionTrail['rule'] = null;
  if (chosen) {
    if (peers.length > 1) rule = model;
    else rule = eligible.length > 1 ? 'source_precedence' : 'only_touch';
  }
  return { chosen, trail: { model, rule, chosen: chosen && entry(chosen, null), considered } };
}

/**
 * The reason to report when no touch could be credited: that of the strongest touch, preferring
 * touches of the event's own program (another program's invite says little about this one).
 */
export function noTouchReason(trail: AttributionTrail): LostReason | null {
  const own = trail.considered.filter((t) => t.reason !== 'other_program');
  const candidates = own.length > 0 ? own : trail.considered;
  const strongest = [...candidates].sort((a, b) => rank(a.source) - rank(b.source))[0];
  return strongest?.reason ?? null;
}

export interface SignupFacts {
  customerExternalId: string;
  customerEmail: string | null;
  occurredAt: Date;
  /** The referee's record is linked to the referrer's by a shared email or phone. */
  linkedToReferrer: boolean;
  /** Whether the customer, or a record linked to them, already has a referral in this program. */
  alreadyReferred: boolean;
}

export type AttributionDecision =
  | { outcome: 'create'; expiresAt: Date }
  | { outcome: 'rejected'; reason: 'self_referral' }
  | { outcome: 'ignored'; reason: 'already_referred' };

function sameEmail(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  const left = normalizeEmail(a);
  return left !== null && left.address === normalizeEmail(b)?.address;
}

/** Whether the chosen touch makes a referral: not for oneself, and once per person. */
export function decideAttribution(touch: AttributionTouch, signup: SignupFacts): AttributionDecision {
  if (
    touch.referrer.externalId === signup.customerExternalId ||
    signup.linkedToReferrer ||
    sameEmail(touch.referrer.email, signup.customerEmail)
  ) {
    return { outcome: 'rejected', reason: 'self_referral' };
  }
  if (signup.alreadyReferred) return { outcome: 'ignored', reason: 'already_referred' };
  return {
    outcome: 'create',
    expiresAt: new Date(signup.occurredAt.getTime() + touch.program.windowDays * DAY_MS),
  };
}
