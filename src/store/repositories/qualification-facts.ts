import type { Executor } from '../executor.ts';

// What qualification conditions read, each only when a program's rules set the condition: the
// sign-up time (within_days), the participants' segments and status, and a referee's rewards as one
// person.

/** When the referral's sign-up happened (its occurred_at), not when Vouch received it. */
export async function signupOccurredAt(db: Executor, signupEventId: string): Promise<Date> {
  const row = await db
    .selectFrom('events')
    .select('occurred_at')
    .where('id', '=', signupEventId)
    .executeTakeFirstOrThrow();
  return new Date(row.occurred_at);
}

/** The segment and status of each of these participants, by id. */
export async function participantFactsOf(
  db: Executor,
  participantIds: readonly string[],
): Promise<Map<string, { segment: string | null; status: 'active' | 'disabled' }>> {
  const rows = await db
    .selectFrom('participants')
    .select(['id', 'segment', 'status'])
    .where('id', 'in', participantIds)
    .execute();
  return new Map(rows.map((r) => [r.id, { segment: r.segment, status: r.status }]));
}

/**
 * One person's participant records across the deployment: those with the participant's customer
 * id (one per program), and those of every customer id linked to one of them as the same person
 * (links are per program, so this reaches that customer's records in the other programs too).
 */
export async function recordsOfPerson(
  db: Executor,
  participantId: string,
): Promise<{ id: string; external_id: string }[]> {
  const own = await db
    .selectFrom('participants')
    .select('external_id')
    .where('id', '=', participantId)
    .executeTakeFirstOrThrow();
  const linked = await db
    .selectFrom('participants as p')
    .innerJoin('participant_links as l', 'l.participant_id', 'p.id')
    .innerJoin('participants as q', 'q.id', 'l.linked_participant_id')
    .select('q.external_id')
    .where('p.external_id', '=', own.external_id)
    .execute();
  const externalIds = [...new Set([own.external_id, ...linked.map((r) => r.external_id)])];
  return db
    .selectFrom('participants')
    .select(['id', 'external_id'])
    .where('external_id', 'in', externalIds)
    .execute();
}

/**
 * The referee-side rewards these records received, in any program: rewards not fully reversed,
 * and what is kept of them per currency (like a referrer's caps count theirs).
 */
export async function refereeRewarded(
  db: Executor,
  participantIds: readonly string[],
): Promise<{ count: number; amounts: Record<string, number> }> {
  const rows = await db
    .selectFrom('rewards')
    .select([
      'currency',
      (eb) => eb.fn.countAll<number | string>().as('n'),
      (eb) => eb.fn.sum<number | string>(eb('amount', '-', eb.ref('reversed_amount'))).as('kept'),
    ])
    .where('participant_id', 'in', participantIds)
    .where('side', '=', 'referee')
    .where('status', '!=', 'reversed')
    .groupBy('currency')
    .execute();
  const spent = { count: 0, amounts: {} as Record<string, number> };
  for (const row of rows) {
    spent.count += Number(row.n);
    spent.amounts[row.currency] = Number(row.kept);
  }
  return spent;
}
