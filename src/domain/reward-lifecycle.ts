import type { RewardStatus } from './ledger.ts';

/**
 * How a reward moves: pending (held) → approved → issued, or reversed at any point by a
 * clawback. Decisions only; the caller writes the rows and postings they describe.
 */

export interface RewardState {
  status: RewardStatus;
  amount: number;
  reversedAmount: number;
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
      /** Taken from the pending balance (still held) rather than the available one. */
      held: boolean;
      /** The new status: `reversed` once nothing is left. */
      status: RewardStatus;
    }
  | { outcome: 'refused'; reason: 'already_reversed' | 'exceeds_reward' };

/** Claws back `amount` of a reward (never more than is left of it). */
export function decideReversal(reward: RewardState, amount: number): Reversal {
  const left = reward.amount - reward.reversedAmount;
  if (reward.status === 'reversed' || left === 0) return { outcome: 'refused', reason: 'already_reversed' };
  if (amount > left) return { outcome: 'refused', reason: 'exceeds_reward' };
  return {
    outcome: 'reverse',
    amount,
    held: reward.status === 'pending',
    status: amount === left ? 'reversed' : reward.status,
  };
}

/**
 * The part of a reward a refund claws back: the reward shrinks in proportion to what is left of
 * its order. Computed on the running total refunded, rounded half up, so partial refunds that
 * add up to the whole order reverse exactly the whole reward, never a cent more or less. Zero
 * when earlier reversals (an admin's, say) already cover it.
 */
export function refundClawback(reward: RewardState, orderAmount: number, refundedTotal: number): number {
  if (orderAmount <= 0 || refundedTotal <= 0) return 0;
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
