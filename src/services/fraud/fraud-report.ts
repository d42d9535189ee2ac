import { FRAUD_RULES } from '../../domain/fraud.ts';
import { AppError } from '../../lib/errors.ts';
import type { Executor } from '../../store/executor.ts';
import { fraudCounts } from '../../store/repositories/fraud.ts';
import { getProgram } from '../programs/programs.ts';

const DAY_MS = 86_400_000;

/** How often each fraud rule fired in a program over a period, and what became of the referrals. */
export async function fraudReport(
  db: Executor,
  programId: string,
  period: { since?: string | undefined; until?: string | undefined },
  now: Date,
) {
  await getProgram(db, programId);
  const until = period.until ? new Date(period.until) : now;
  const since = period.since ? new Date(period.since) : new Date(until.getTime() - 30 * DAY_MS);
  if (since.getTime() >= until.getTime())
    throw new AppError('invalid_value', 'since must be before until.', 'since');
  const counts = await fraudCounts(db, programId, since.toISOString(), until.toISOString());
  const outcomes = { allow: 0, review: 0, block: 0 };
  for (const row of counts.byOutcome) outcomes[row.fraud_outcome] = Number(row.referrals);
  const referrals = outcomes.allow + outcomes.review + outcomes.block;
  // Every rule is listed, the silent ones with zeros, so a report reads the same across programs.
  const rules = FRAUD_RULES.map((rule) => {
    const row = counts.byRule.find((r) => r.rule === rule);
    const fired = Number(row?.referrals ?? 0);
    return {
      rule,
      signals: Number(row?.signals ?? 0),
      referrals: fired,
      incidence: referrals ? fired / referrals : 0,
    };
  });
  return {
    object: 'fraud_report' as const,
    program_id: programId,
    since: since.toISOString(),
    until: until.toISOString(),
    referrals,
    outcomes,
    rules,
  };
}
