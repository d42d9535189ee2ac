import { type Balance, balancesFrom } from '../../domain/ledger.ts';
import type { RewardRules } from '../../domain/reward-rules.ts';
import { firstNameOf, maskEmail } from '../../domain/shown-identity.ts';
import type { Executor } from '../../store/executor.ts';
import { sumParticipantAccounts } from '../../store/repositories/ledger.ts';
import { listReferralsOfReferrer, listRewardsOfParticipant } from '../../store/repositories/portal.ts';
import { getParticipant } from '../participants/participants.ts';
import { getProgram, rulesOf } from '../programs/programs.ts';

/** How far a referral has gone, in the words a referrer reads. */
export type FriendStatus =
  | 'signed_up'
  | 'qualified'
  | 'rewarded'
  | 'not_eligible'
  | 'self_referral'
  | 'expired';

export interface FriendView {
  /** `s***@example.net`, or null when the business sent no email. */
  friend: string | null;
  signedUpAt: string;
  status: FriendStatus;
}

export interface RewardView {
  amount: number;
  currency: string;
  status: 'pending' | 'available' | 'issued' | 'redeemed' | 'reversed' | 'paid' | 'processing';
  /** When a pending reward's hold ends. */
  availableAt: string;
  code: string | null;
}

export interface PortalView {
  participantId: string;
  firstName: string | null;
  code: string;
  programName: string;
  rules: RewardRules;
  windowDays: number;
  friends: FriendView[];
  rewards: RewardView[];
  cash: Balance[];
  /** The smallest balance a payout run pays, per currency. */
  payoutMinimums: Record<string, number>;
}

// A page shows the latest; the API lists everything.
const SHOWN = 50;

/** What a referrer is told of a rejected referral: never which fraud rule fired. */
function friendStatus(
  referral: { status: string; rejection_reason: string | null },
  rewarded: boolean,
): FriendStatus {
  switch (referral.status) {
    case 'qualified':
      return rewarded ? 'rewarded' : 'qualified';
    case 'rejected':
      return referral.rejection_reason === 'self_referral' ? 'self_referral' : 'not_eligible';
    case 'expired':
      return 'expired';
    default:
      return 'signed_up';
  }
}

/** An approved cash reward is available until a payout run takes it, then processing, then paid. */
function rewardStatus(reward: { status: string; payout_status: string | null }): RewardView['status'] {
  if (reward.status !== 'approved') return reward.status as RewardView['status'];
  if (reward.payout_status === 'paid') return 'paid';
  return reward.payout_status === 'pending' ? 'processing' : 'available';
}

/** Everything the portal shows a participant, read in one go. */
export async function portalView(db: Executor, participantId: string): Promise<PortalView> {
  const participant = await getParticipant(db, participantId);
  const program = await getProgram(db, participant.program_id);
  const [referrals, rewards, sums] = await Promise.all([
    listReferralsOfReferrer(db, participant.id, SHOWN),
    listRewardsOfParticipant(db, participant.id, SHOWN),
    sumParticipantAccounts(db, [participant.id]),
  ]);
  const rewarded = new Set(rewards.filter((r) => r.status !== 'reversed').map((r) => r.referral_id));
  return {
    participantId: participant.id,
    firstName: firstNameOf(participant.name),
    code: participant.referral_code,
    programName: program.name,
    rules: rulesOf(program),
    windowDays: program.attribution_window_days,
    friends: referrals.map((r) => ({
      friend: r.friend_email ? maskEmail(r.friend_email) : null,
      signedUpAt: r.signed_up_at,
      status: friendStatus(r, rewarded.has(r.id)),
    })),
    rewards: rewards.map((r) => ({
      amount: r.amount - r.reversed_amount,
      currency: r.currency,
      status: rewardStatus(r),
      availableAt: r.available_at,
      code: r.code,
    })),
    cash: balancesFrom(sums),
    payoutMinimums: JSON.parse(program.payout_minimums) as Record<string, number>,
  };
}
