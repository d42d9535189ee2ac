/** Decides whether a purchase qualifies a pending referral, and which rewards it earns. */

export interface RewardSpec {
  amount: number;
  currency: string;
}

export interface ProgramRewards {
  referrer: RewardSpec | null;
  referee: RewardSpec | null;
}

export interface PendingReferral {
  status: 'pending' | 'qualified' | 'rejected' | 'expired';
  referrerId: string;
  refereeId: string;
  expiresAt: Date;
}

export interface EarnedReward extends RewardSpec {
  side: 'referrer' | 'referee';
  participantId: string;
}

export type QualificationDecision =
  | { outcome: 'qualify'; rewards: EarnedReward[] }
  | { outcome: 'expire' }
  | { outcome: 'ignored'; reason: 'not_pending' };

export function decideQualification(
  referral: PendingReferral,
  rewards: ProgramRewards,
  purchasedAt: Date,
): QualificationDecision {
  if (referral.status !== 'pending') return { outcome: 'ignored', reason: 'not_pending' };
  if (purchasedAt.getTime() > referral.expiresAt.getTime()) return { outcome: 'expire' };
  const earned: EarnedReward[] = [];
  if (rewards.referrer)
    earned.push({ side: 'referrer', participantId: referral.referrerId, ...rewards.referrer });
  if (rewards.referee)
    earned.push({ side: 'referee', participantId: referral.refereeId, ...rewards.referee });
  return { outcome: 'qualify', rewards: earned };
}
