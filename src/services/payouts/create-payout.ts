import { payoutPostings } from '../../domain/ledger.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { parseMoney } from '../../lib/money.ts';
import type { InTransaction } from '../../store/executor.ts';
import { findPayableBalances } from '../../store/repositories/ledger.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import { disabledAmong } from '../../store/repositories/participants.ts';
import {
  findOpenPayout,
  insertPayoutIfNoneOpen,
  insertPayoutItems,
  type PayoutItemRow,
  type PayoutRow,
  setPayoutTotals,
} from '../../store/repositories/payouts.ts';
import { attachRewardsToPayout, releasedUnpaidAmounts } from '../../store/repositories/rewards.ts';
import { type Actor, audit } from '../audit.ts';
import { outboxMessage } from '../outbox-message.ts';
import { getProgram } from '../programs/programs.ts';

import { postLines } from './payouts.ts';

export interface PayoutInput {
  program_id: string;
  currency: string;
}

/**
 * Opens a payout run: every participant of the program whose available balance in the currency
 * reaches the program's minimum gets a line for all of it, and the money moves to `processing`
 * until the run is confirmed paid or canceled. One open run per program and currency.
 */
export async function createPayout(
  db: InTransaction,
  input: PayoutInput,
  now: Date,
  actor: Actor,
): Promise<PayoutRow> {
  const program = await getProgram(db, input.program_id, 'program_id');
  const { currency } = parseMoney(0, input.currency);
  const openKey = `${program.id}:${currency}`;
  const payout: PayoutRow = {
    id: newId('pay'),
    program_id: program.id,
    currency,
    status: 'pending',
    amount: 0,
    item_count: 0,
    open_key: openKey,
    created_at: now.toISOString(),
    settled_at: null,
  };
  // The run claims its program and currency before reading any balance: a concurrent request
  // waits on the unique open_key (PostgreSQL) and is then refused, instead of finding the
  // balances already moved and answering that there is nothing to pay.
  if (!(await insertPayoutIfNoneOpen(db, payout))) {
    const open = await findOpenPayout(db, openKey);
    const run = open ? `an open ${currency} payout run (${open.id})` : `an open ${currency} payout run`;
    throw new AppError(
      'payout_in_progress',
      `Program '${program.id}' already has ${run}; confirm or cancel it first.`,
    );
  }
  const minimums = JSON.parse(program.payout_minimums) as Record<string, number>;
  const minimum = Math.max(1, minimums[currency] ?? 0);
  const { balances, disabled } = await payableBalances(db, program.id, currency, minimum);
  if (balances.length === 0) {
    throw new AppError(
      'nothing_to_pay',
      `No participant of program '${program.id}' has an available ${currency} balance of at least ${minimum} ` +
        "(a disabled participant's counts only as far as an admin released it).",
      'currency',
    );
  }
  payout.amount = balances.reduce((total, b) => total + b.amount, 0);
  payout.item_count = balances.length;
  await setPayoutTotals(db, payout);
  const items: PayoutItemRow[] = balances.map((b) => ({
    id: newId('pyi'),
    payout_id: payout.id,
    participant_id: b.participantId,
    amount: b.amount,
    currency,
  }));
  await insertPayoutItems(db, items);
  await postLines(db, payout, items, payoutPostings.created, now);
  const paid = items.map((i) => i.participant_id);
  await attachRewardsToPayout(
    db,
    payout,
    paid.filter((id) => !disabled.has(id)),
  );
  await attachRewardsToPayout(
    db,
    payout,
    paid.filter((id) => disabled.has(id)),
    true,
  );
  await enqueue(db, [outboxMessage('payout.created', { payout_id: payout.id }, now)]);
  const details = { program_id: program.id, amount: payout.amount, currency, item_count: payout.item_count };
  await audit(db, actor, now, [{ action: 'payout.created', subjectId: payout.id, details }]);
  return payout;
}

/**
 * Each participant's available balance that a run pays, when it reaches the minimum. A disabled
 * participant's money waits: only the rewards an admin released are paid, never more than the
 * balance (a clawback after a payout may have cut it).
 */
async function payableBalances(db: InTransaction, programId: string, currency: string, minimum: number) {
  const available = await findPayableBalances(db, programId, currency, minimum);
  const disabled = await disabledAmong(
    db,
    available.map((b) => b.participantId),
  );
  if (disabled.size === 0) return { balances: available, disabled };
  const released = await releasedUnpaidAmounts(db, programId, currency, [...disabled]);
  const balances = available
    .map((b) =>
      disabled.has(b.participantId)
        ? { ...b, amount: Math.min(b.amount, released.get(b.participantId) ?? 0) }
        : b,
    )
    .filter((b) => b.amount >= minimum);
  return { balances, disabled };
}
