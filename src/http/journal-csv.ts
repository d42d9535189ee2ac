import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { toDecimal } from '../lib/money.ts';
import type { JournalLine } from '../services/ledger/journal.ts';

export const JOURNAL_COLUMNS = [
  'entry_id',
  'posting_id',
  'created_at',
  'account',
  'participant_id',
  'currency',
  'amount_minor',
  'amount',
  'reward_id',
  'reward_kind',
  'accounting_class',
  'payout_id',
];

/**
 * The journal as CSV, streamed: one row per entry; a posting's rows sum to zero per currency.
 * Every cell is Vouch's own (ids, accounts, numbers), so formulas are not escaped: escaping would
 * turn each negative amount into text ('-1000).
 */
export function journalCsv(lines: AsyncIterable<JournalLine>): Readable {
  const rows = Readable.from(
    (async function* () {
      for await (const line of lines) {
        yield [
          line.id,
          line.posting_id,
          line.created_at,
          line.account,
          line.participant_id ?? '',
          line.currency,
          String(line.amount),
          toDecimal(Number(line.amount), line.currency),
          line.reward_id ?? '',
          line.reward_kind ?? '',
          line.accounting_class ?? '',
          line.payout_id ?? '',
        ];
      }
    })(),
  );
  return rows.pipe(stringify({ header: true, columns: JOURNAL_COLUMNS }));
}
