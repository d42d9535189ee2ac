import type { Executor } from '../executor.ts';
import { prepared } from '../prepared.ts';

// The measurements fraud rules compare against their thresholds, run on every attributed sign-up,
// hence prepared. Referral ids are time-ordered, so "since" on a referrer's referrals is an id
// floor: a range of their (referrer_id, id) index.

const count = (value: number | string | bigint | undefined) => Number(value ?? 0);

type Network = { programId: string; hash: string; since: string };

const countFromIp = prepared((db, v: Network) =>
  db
    .selectFrom('referrals')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('program_id', '=', v.programId)
    .where('signup_ip_hash', '=', v.hash)
    .where('created_at', '>=', v.since),
);

const countFromSubnet = prepared((db, v: Network) =>
  db
    .selectFrom('referrals')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('program_id', '=', v.programId)
    .where('signup_subnet_hash', '=', v.hash)
    .where('created_at', '>=', v.since),
);

/** Referrals in the program since a time whose sign-up came from the same IP or subnet. */
export async function countReferralsFromNetwork(
  db: Executor,
  network: 'ip' | 'subnet',
  values: Network,
): Promise<number> {
  const query = network === 'ip' ? countFromIp : countFromSubnet;
  return count((await query(db, values)).rows[0]?.n);
}

type ReferrerSince = { referrerId: string; sinceId: string };

const countOfReferrer = prepared((db, v: ReferrerSince) =>
  db
    .selectFrom('referrals')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('referrer_id', '=', v.referrerId)
    .where('id', '>=', v.sinceId),
);

const countPendingOfReferrer = prepared((db, v: ReferrerSince) =>
  db
    .selectFrom('referrals')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('referrer_id', '=', v.referrerId)
    .where('id', '>=', v.sinceId)
    .where('status', '=', 'pending'),
);

/** A referrer's referrals made since an id floor; only those still pending when asked. */
export async function countReferrerReferrals(
  db: Executor,
  values: ReferrerSince,
  pendingOnly: boolean,
): Promise<number> {
  const query = pendingOnly ? countPendingOfReferrer : countOfReferrer;
  return count((await query(db, values)).rows[0]?.n);
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

// A numbered series shows within a few sign-ups; 10 is enough and keeps the read small.
const selectRecentRefereeEmails = prepared((db, v: { referrerId: string }) =>
  db
    .selectFrom('referrals as r')
    .innerJoin('participants as p', 'p.id', 'r.referee_id')
    .select('p.email')
    .where('r.referrer_id', '=', v.referrerId)
    .where('p.email', 'is not', null)
    .orderBy('r.id', 'desc')
    .limit(10),
);

/** The emails of a referrer's newest referees, newest first. */
export async function recentRefereeEmails(db: Executor, referrerId: string): Promise<string[]> {
  return (await selectRecentRefereeEmails(db, { referrerId })).rows.map((r) => r.email as string);
}

const selectReferrerOf = prepared((db, v: { programId: string; participantId: string }) =>
  db
    .selectFrom('referrals')
    .select('referrer_id')
    .where('program_id', '=', v.programId)
    .where('referee_id', '=', v.participantId)
    .where('status', '!=', 'rejected'),
);

/** Who referred a participant in a program, if anyone: one step up a referral chain. */
export async function referrerOf(db: Executor, programId: string, participantId: string) {
  return (await selectReferrerOf(db, { programId, participantId })).rows[0]?.referrer_id ?? null;
}
