import { sql } from 'kysely';
import type { Executor } from '../executor.ts';
import { prepared } from '../prepared.ts';

// The measurements fraud rules compare against their thresholds, run on every attributed sign-up,
// hence prepared. Referral ids are time-ordered, so "since" on a referrer's referrals is an id
// floor: a range of their (referrer_id, id) index.

const toNumber = (value: number | string | bigint | null | undefined) => Number(value ?? 0);

/** What a sign-up's fraud rules measure; a null hash measures nothing (its rule is off or has no input). */
export interface MeasureRequest {
  programId: string;
  referrerId: string;
  ipHash: string | null;
  ipSince: string;
  subnetHash: string | null;
  subnetSince: string;
  /** Id floors of the velocity and burst windows. */
  recentSinceId: string;
  inactiveSinceId: string;
  deviceHash: string | null;
  ipUaHash: string | null;
}

export interface SignupMeasures {
  same_ip: number;
  same_subnet: number;
  referrer_recent: number;
  referrer_inactive: number;
  /** When the referrer was last seen with the sign-up's device, and with its IP + user agent. */
  device_seen_at: string | null;
  ip_ua_seen_at: string | null;
  /** Who referred the referrer: the first step of a ring. */
  referred_by: string | null;
}

// Counts stop here: far past any threshold, and a busy referrer or network costs no more to screen.
const COUNT_CAP = 1000;

// One statement of scalar subqueries, each on its own index: a round trip instead of seven.
const selectMeasures = prepared((db, v: MeasureRequest) =>
  db.selectNoFrom((eb) => {
    const referrals = () => eb.selectFrom('referrals').select(sql.lit(1).as('one'));
    const count = (rows: ReturnType<typeof referrals>) =>
      eb.selectFrom(rows.limit(COUNT_CAP).as('c')).select(eb.fn.countAll<number | string>().as('n'));
    const seen = (hash: string | null) =>
      eb
        .selectFrom('participant_identities')
        .select('last_seen_at')
        .where('participant_id', '=', v.referrerId)
        .where('hash', '=', hash);
    return [
      count(
        referrals()
          .where('program_id', '=', v.programId)
          .where('signup_ip_hash', '=', v.ipHash)
          .where('created_at', '>=', v.ipSince),
      ).as('same_ip'),
      count(
        referrals()
          .where('program_id', '=', v.programId)
          .where('signup_subnet_hash', '=', v.subnetHash)
          .where('created_at', '>=', v.subnetSince),
      ).as('same_subnet'),
      count(referrals().where('referrer_id', '=', v.referrerId).where('id', '>=', v.recentSinceId)).as(
        'referrer_recent',
      ),
      // The pending ones only, through their own partial index: qualified referrals drop out of it.
      count(
        referrals()
          .where('referrer_id', '=', v.referrerId)
          .where('id', '>=', v.inactiveSinceId)
          // A literal, not a parameter: only then may the planner use the partial index.
          .where('status', '=', sql.lit('pending')),
      ).as('referrer_inactive'),
      seen(v.deviceHash).where('kind', '=', 'device').as('device_seen_at'),
      seen(v.ipUaHash).where('kind', '=', 'ip_ua').as('ip_ua_seen_at'),
      eb
        .selectFrom('referrals')
        .select('referrer_id')
        .where('program_id', '=', v.programId)
        .where('referee_id', '=', v.referrerId)
        .where('status', '!=', 'rejected')
        .as('referred_by'),
    ];
  }),
);

export async function measureSignup(db: Executor, request: MeasureRequest): Promise<SignupMeasures> {
  const row = (await selectMeasures(db, request)).rows[0];
  return {
    same_ip: toNumber(row?.same_ip),
    same_subnet: toNumber(row?.same_subnet),
    referrer_recent: toNumber(row?.referrer_recent),
    referrer_inactive: toNumber(row?.referrer_inactive),
    device_seen_at: row?.device_seen_at ?? null,
    ip_ua_seen_at: row?.ip_ua_seen_at ?? null,
    referred_by: row?.referred_by ?? null,
  };
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
  return { referrals: toNumber(row?.referrals), referrers: toNumber(row?.referrers) };
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
