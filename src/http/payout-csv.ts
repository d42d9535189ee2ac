import { stringify } from 'csv-stringify/sync';
import { toDecimal } from '../lib/money.ts';
import type { PayoutLine } from '../services/payouts/payouts.ts';

const COLUMNS = ['email', 'amount', 'currency', 'reference', 'participant_id', 'external_id', 'name'];

/**
 * The lines of a payout run in the shape mass-payout uploads take. Finance opens these in
 * spreadsheets, and names and emails come from customers: formula-like cells are escaped.
 */
export function payoutCsv(lines: PayoutLine[]): string {
  const rows = lines.map((line) => [
    line.email ?? '',
    toDecimal(line.amount, line.currency),
    line.currency,
    line.id,
    line.participant_id,
    line.external_id,
    line.name ?? '',
  ]);
  return stringify(rows, { header: true, columns: COLUMNS, escape_formulas: true });
}
