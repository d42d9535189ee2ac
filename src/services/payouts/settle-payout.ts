import { payoutPostings } from '../../domain/ledger.ts';
import { AppError } from '../../lib/errors.ts';
import type { InTransaction } from '../../store/executor.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import { listPayoutLines, type PayoutRow, settlePayout } from '../../store/repositories/payouts.ts';
import { detachRewardsFromPayout, issueRewardsOfPayout } from '../../store/repositories/rewards.ts';
import { type Actor, type AuditEntry, audit } from '../audit.ts';
import { outboxMessage } from '../outbox-message.ts';

import { getPayout, postLines } from './payouts.ts';

/** Settles an open run as paid (the money left) or canceled (it goes back to available). */
export async function settle(
  db: InTransaction,
  id: string,
  status: 'paid' | 'canceled',
  now: Date,
  actor: Actor,
): Promise<PayoutRow> {
  const payout = await getPayout(db, id);
  const at = now.toISOString();
  if (!(await settlePayout(db, id, status, at))) {
    const settled = await getPayout(db, id);
    throw new AppError('payout_not_pending', `Payout '${id}' is already ${settled.status}.`);
  }
  const lines = await listPayoutLines(db, id);
  await postLines(db, payout, lines, status === 'paid' ? payoutPostings.paid : payoutPostings.canceled, now);
  const messages = [outboxMessage(`payout.${status}`, { payout_id: id }, now)];
  const entries: AuditEntry[] = [
    { action: `payout.${status}`, subjectId: id, details: { amount: payout.amount } },
  ];
  if (status === 'paid') {
    for (const reward of await issueRewardsOfPayout(db, id, at)) {
      const { id: rewardId, participant_id, kind, currency, code } = reward;
      const amount = reward.amount - reward.reversed_amount;
      const data = { reward_id: rewardId, participant_id, kind, amount, currency, code, payout_id: id };
      messages.push(outboxMessage('reward.issued', data, now));
      entries.push({ action: 'reward.issued', subjectId: rewardId, details: { payout_id: id } });
    }
  } else {
    await detachRewardsFromPayout(db, id);
  }
  await enqueue(db, messages);
  await audit(db, actor, now, entries);
  return { ...payout, status, settled_at: at, open_key: null };
}
