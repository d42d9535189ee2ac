/**
 * Decides whether a sign-up creates a referral. Pure: everything it needs is passed in,
 * including the time.
 */

export interface AttributionTouch {
  method: 'click' | 'code';
  code: string;
  clickId: string | null;
  /** When the click happened; null for a code typed at sign-up. */
  touchedAt: Date | null;
  referrer: { id: string; externalId: string; email: string | null; status: 'active' | 'disabled' };
}

export interface SignupFacts {
  customerExternalId: string;
  customerEmail: string | null;
  occurredAt: Date;
  windowDays: number;
  programActive: boolean;
  /** Whether the customer already has a referral in this program. */
  alreadyReferred: boolean;
}

export type AttributionDecision =
  | { outcome: 'create'; method: 'click' | 'code'; expiresAt: Date }
  | { outcome: 'rejected'; reason: 'self_referral' }
  | {
      outcome: 'ignored';
      reason: 'already_referred' | 'outside_window' | 'referrer_disabled' | 'program_not_active';
    };

const DAY_MS = 86_400_000;

function sameEmail(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function decideAttribution(touch: AttributionTouch, signup: SignupFacts): AttributionDecision {
  if (!signup.programActive) return { outcome: 'ignored', reason: 'program_not_active' };
  if (touch.referrer.status !== 'active') return { outcome: 'ignored', reason: 'referrer_disabled' };
  if (
    touch.referrer.externalId === signup.customerExternalId ||
    sameEmail(touch.referrer.email, signup.customerEmail)
  ) {
    return { outcome: 'rejected', reason: 'self_referral' };
  }
  if (signup.alreadyReferred) return { outcome: 'ignored', reason: 'already_referred' };
  const windowMs = signup.windowDays * DAY_MS;
  if (touch.touchedAt && signup.occurredAt.getTime() - touch.touchedAt.getTime() > windowMs) {
    return { outcome: 'ignored', reason: 'outside_window' };
  }
  return {
    outcome: 'create',
    method: touch.method,
    expiresAt: new Date(signup.occurredAt.getTime() + windowMs),
  };
}
