import type { RewardPlace, RewardStatus } from './ledger.ts';
import { isDivisible, isRedeemable, type RewardKind } from './reward-kinds.ts';

/**
 * How a reward moves: pending (held) → approved → issued (paid out, or delivered) → redeemed
 * where its kind is used up, or reversed by a clawback before it is redeemed. A clawback is final
 * but for one case: a chargeback the merchant wins gives back what it took (a reinstatement).
 * Decisions only; the caller writes the rows and postings they describe.
 */

export interface RewardState {
  status: RewardStatus;
  amount: number;
  reversedAmount: number;
  kind: RewardKind;
}

export type Approval = { outcome: 'approve'; amount: number } | { outcome: 'refused'; reason: 'not_pending' };

/** Only a held reward can be approved; what is left after partial clawbacks moves on. */
export function decideApproval(reward: RewardState): Approval {
  if (reward.status !== 'pending') return { outcome: 'refused', reason: 'not_pending' };
  return { outcome: 'approve', amount: reward.amount - reward.reversedAmount };
}

export type Reversal =
  | {
      outcome: 'reverse';
      amount: number;
      /** Where the amount is taken from: where the reward sits now. */
      from: RewardPlace;
      /** The new status: `reversed` once nothing is left. */
      status: RewardStatus;
    }
  | { outcome: 'refused'; reason: 'already_reversed' | 'exceeds_reward' | 'redeemed' | 'not_divisible' };

/**
 * Claws back `amount` of a reward (never more than is left of it). A redeemed reward was used up
 * and cannot be; a code, card or experience is clawed back whole or not at all.
 */
export function decideReversal(reward: RewardState, amount: number): Reversal {
  const { status } = reward;
  const left = reward.amount - reward.reversedAmount;
  if (status === 'reversed' || left === 0) return { outcome: 'refused', reason: 'already_reversed' };
  if (status === 'redeemed') return { outcome: 'refused', reason: 'redeemed' };
  if (amount > left) return { outcome: 'refused', reason: 'exceeds_reward' };
  if (amount < left && !isDivisible(reward.kind)) return { outcome: 'refused', reason: 'not_divisible' };
  return { outcome: 'reverse', amount, from: status, status: amount === left ? 'reversed' : status };
}

/** How far a reward got before it was reversed, from the times it reached each status. */
export interface Progress {
  approvedAt: string | null;
  issuedAt: string | null;
}

export type Reinstatement =
  | {
      outcome: 'reinstate';
      amount: number;
      /** The reward's status after, and where the amount goes back to: where it sits, or sat before it was reversed whole. */
      status: Exclude<RewardStatus, 'reversed'>;
    }
  | { outcome: 'refused'; reason: 'nothing_reversed' };

/**
 * Gives back `taken`, what one reversal (a chargeback since won) took, never more than is reversed
 * now. A reward still partly kept takes it where it sits; one reversed whole returns to the status
 * it had reached, which only moves forward (pending → approved → issued), so its times tell it.
 */
export function decideReinstatement(reward: RewardState, progress: Progress, taken: number): Reinstatement {
  const amount = Math.min(taken, reward.reversedAmount);
  if (amount <= 0) return { outcome: 'refused', reason: 'nothing_reversed' };
  const status =
    reward.status !== 'reversed'
      ? reward.status
      : progress.issuedAt
        ? 'issued'
        : progress.approvedAt
          ? 'approved'
          : 'pending';
  return { outcome: 'reinstate', amount, status };
}

export type Redemption =
  | { outcome: 'redeem'; amount: number }
  | { outcome: 'refused'; reason: 'not_redeemable' | 'not_issued' };

/** The business reports a reward in kind used (the credit spent, the code applied): all of it. */
export function decideRedemption(reward: RewardState): Redemption {
  if (!isRedeemable(reward.kind)) return { outcome: 'refused', reason: 'not_redeemable' };
  if (reward.status !== 'issued') return { outcome: 'refused', reason: 'not_issued' };
  return { outcome: 'redeem', amount: reward.amount - reward.reversedAmount };
}

/**
 * The part of a reward a refund claws back: the reward shrinks in proportion to what is left of
 * its order. Computed on the running total refunded, rounded half up, so partial refunds that
 * add up to the whole order reverse exactly the whole reward, never a cent more or less. Zero
 * when earlier reversals (an admin's, say) already cover it, and for a reward already used up.
 */
export function refundClawback(reward: RewardState, orderAmount: number, refundedTotal: number): number {
  if (orderAmount <= 0 || refundedTotal <= 0 || reward.status === 'redeemed') return 0;
  // A code or an experience cannot shrink: only a full refund takes it back.
  if (!isDivisible(reward.kind))
    return refundedTotal >= orderAmount ? reward.amount - reward.reversedAmount : 0;
  const refunded = BigInt(Math.min(refundedTotal, orderAmount));
  const order = BigInt(orderAmount);
  // BigInt: amount × refunded can pass 2^53 for large orders.
  const due = Number((2n * BigInt(reward.amount) * refunded + order) / (2n * order));
  return Math.max(0, due - reward.reversedAmount);
}

/** The hold ends `holdDays` after the reward was earned. */
export function holdEndsAt(earnedAt: Date, holdDays: number): Date {
  return new Date(earnedAt.getTime() + holdDays * 86_400_000);
}
