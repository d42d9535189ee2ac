import type { Executor } from '../../store/executor.ts';
import { paidBetween } from '../../store/repositories/ledger.ts';
import { getProgram } from '../programs/programs.ts';

/**
 * Every participant paid in a calendar year (UTC), per currency, and whether that total reaches
 * the program's tax-reporting threshold for the currency (never, without one). Payouts count
 * when confirmed paid; a later clawback does not undo a payment already made.
 */
export async function taxReport(db: Executor, programId: string, year: number) {
  const program = await getProgram(db, programId);
  const thresholds = JSON.parse(program.tax_reporting_thresholds) as Record<string, number>;
  const from = new Date(Date.UTC(year, 0, 1)).toISOString();
  const to = new Date(Date.UTC(year + 1, 0, 1)).toISOString();
  return (await paidBetween(db, program.id, from, to)).map((row) => {
    const threshold = thresholds[row.currency] ?? null;
    return { ...row, year, threshold, reportable: threshold !== null && row.paid >= threshold };
  });
}
