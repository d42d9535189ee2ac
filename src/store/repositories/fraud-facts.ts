import type { Executor } from '../executor.ts';

// The measurements fraud rules compare against their thresholds. Referral ids are time-ordered,
// so "since" is an id floor and a referrer's recent referrals are a range of their index.

const count = (value: number | string | bigint | undefined) => Number(value ?? 0);

/** Referrals in the program since a time whose sign-up came from the same IP or subnet. */
export async function countReferralsFromNetwork(
  db: Executor,
  programId: string,
  column: 'signup_ip_hash' | 'signup_subnet_hash',
  hash: string,
  since: string,
): Promise<number> {
  const row = await db
    .selectFrom('referrals')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('program_id', '=', programId)
    .where(column, '=', hash)
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return count(row?.n);
}

/** A referrer's referrals made since an id floor; only those still pending when asked. */
export async function countReferrerReferrals(
  db: Executor,
  referrerId: string,
  sinceId: string,
  pendingOnly: boolean,
): Promise<number> {
  let query = db
    .selectFrom('referrals')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('referrer_id', '=', referrerId)
    .where('id', '>=', sinceId);
  if (pendingOnly) query = query.where('status', '=', 'pending');
  return count((await query.executeTakeFirst())?.n);
}

/** The program's referrals and distinct referrers since a time. */
export async function programActivity(db: Executor, programId: string, since: string) {
  const row = await db
    .selectFrom('referrals')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('referrals'),
      eb.fn.count<number | string>('referrer_id').distinct().as('referrers'),
    ])
    .where('program_id', '=', programId)
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return { referrals: count(row?.referrals), referrers: count(row?.referrers) };
}

/** The emails of a referrer's newest referees, newest first. */
export async function recentRefereeEmails(
  db: Executor,
  referrerId: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('referrals as r')
    .innerJoin('participants as p', 'p.id', 'r.referee_id')
    .select('p.email')
    .where('r.referrer_id', '=', referrerId)
    .where('p.email', 'is not', null)
    .orderBy('r.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.email as string);
}

/** Who referred a participant in a program, if anyone: one step up a referral chain. */
export async function referrerOf(db: Executor, programId: string, participantIds: readonly string[]) {
  const row = await db
    .selectFrom('referrals')
    .select('referrer_id')
    .where('program_id', '=', programId)
    .where('referee_id', 'in', participantIds)
    .where('status', '!=', 'rejected')
    .executeTakeFirst();
  return row?.referrer_id ?? null;
}
