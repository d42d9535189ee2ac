import { sql } from 'kysely';
import type { Executor } from '../executor.ts';
import { prepared } from '../prepared.ts';

// The measurements fraud rules compare against their thresholds, run on every attributed sign-up,
// hence prepared. Windows are in event time: each is a range of an index ending in signed_up_at
// (0011), reaching the rule's width either side of the sign-up, since events arrive out of order.

const toNumber = (value: number | string | bigint | null | undefined) => Number(value ?? 0);

/**
 * What a sign-up's fraud rules measure; a null hash measures nothing (its rule is off or has no
 * input). Each window is [from, to] in event time, both ends included.
 */
export interface MeasureRequest {
  programId: string;
  referrerId: string;
  ipHash: string | null;
  ipFrom: string;
  ipTo: string;
  subnetHash: string | null;
  subnetFrom: string;
  subnetTo: string;
  recentFrom: string;
  recentTo: string;
  inactiveFrom: string;
  inactiveTo: string;
  deviceHash: string | null;
  ipUaHash: string | null;
  ipUaFrom: string;
  ipUaTo: string;
}

export interface SignupMeasures {
  same_ip: number;
  same_subnet: number;
  referrer_recent: number;
  referrer_inactive: number;
  /** When the referrer was last seen with the sign-up's device; a time they were seen with its IP + user agent within the window. */
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
    return [
      count(
        referrals()
          .where('program_id', '=', v.programId)
          .where('signup_ip_hash', '=', v.ipHash)
          .where('signed_up_at', '>=', v.ipFrom)
          .where('signed_up_at', '<=', v.ipTo),
      ).as('same_ip'),
      count(
        referrals()
          .where('program_id', '=', v.programId)
          .where('signup_subnet_hash', '=', v.subnetHash)
          .where('signed_up_at', '>=', v.subnetFrom)
          .where('signed_up_at', '<=', v.subnetTo),
      ).as('same_subnet'),
      count(
        referrals()
          .where('referrer_id', '=', v.referrerId)
          .where('signed_up_at', '>=', v.recentFrom)
          .where('signed_up_at', '<=', v.recentTo),
      ).as('referrer_recent'),
      // The pending ones only, through their own partial index: qualified referrals drop out of it.
      count(
        referrals()
          .where('referrer_id', '=', v.referrerId)
          .where('signed_up_at', '>=', v.inactiveFrom)
          .where('signed_up_at', '<=', v.inactiveTo)
          // A literal, not a parameter: only then may the planner use the partial index.
          .where('status', '=', sql.lit('pending')),
      ).as('referrer_inactive'),
      eb
        .selectFrom('participant_identities')
        .select('last_seen_at')
        .where('participant_id', '=', v.referrerId)
        .where('kind', '=', 'device')
        .where('hash', '=', v.deviceHash)
        .as('device_seen_at'),
      eb
        .selectFrom('ip_ua_sightings')
        .select((s) => s.fn.max('seen_at').as('seen_at'))
        .where('participant_id', '=', v.referrerId)
        .where('hash', '=', v.ipUaHash)
        .where('seen_at', '>=', v.ipUaFrom)
        .where('seen_at', '<=', v.ipUaTo)
        .as('ip_ua_seen_at'),
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

/** The program's referrals and distinct referrers signed up within [from, to] (event time). */
export async function programActivity(db: Executor, programId: string, from: string, to: string) {
  const row = await db
    .selectFrom('referrals')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('referrals'),
      eb.fn.count<number | string>('referrer_id').distinct().as('referrers'),
    ])
    .where('program_id', '=', programId)
    .where('signed_up_at', '>=', from)
    .where('signed_up_at', '<=', to)
    .executeTakeFirst();
  return { referrals: toNumber(row?.referrals), referrers: toNumber(row?.referrers) };
}

/** A referral placed in event time. */
export interface TimedReferral {
  id: string;
  signed_up_at: string;
}

// The busiest span is found among at most this many: a farm's later members still fill it.
const WINDOW_CAP = 500;

/** Which referrals a window reads: one network of the program, or one referrer's (pending) ones. */
export type WindowOf =
  | { column: 'signup_ip_hash' | 'signup_subnet_hash'; programId: string; hash: string }
  | { column: 'referrer_id'; referrerId: string; pendingOnly: boolean };

/**
 * The referrals of a window, [from, to] in event time, nearest the middle first when capped. Read
 * only once its count has reached a rule's threshold, to find the busiest span and its members.
 */
export async function referralsInWindow(
  db: Executor,
  of: WindowOf,
  from: string,
  to: string,
): Promise<TimedReferral[]> {
  let query = db
    .selectFrom('referrals')
    .select(['id', 'signed_up_at'])
    .where('signed_up_at', '>=', from)
    .where('signed_up_at', '<=', to);
  if (of.column === 'referrer_id') {
    query = query.where('referrer_id', '=', of.referrerId);
    if (of.pendingOnly) query = query.where('status', '=', sql.lit('pending'));
  } else {
    query = query.where('program_id', '=', of.programId).where(of.column, '=', of.hash);
  }
  return query.orderBy('signed_up_at').limit(WINDOW_CAP).execute();
}

/** A referee of the referrer, for the numbered-series check. */
export interface RefereeEmail {
  referral_id: string;
  email: string;
  signed_up_at: string;
}

// A numbered series shows within a few sign-ups; 10 each side of the sign-up keeps the read small.
const SERIES_READ = 10;
const selectRefereesAround = (direction: 'before' | 'after') =>
  prepared((db, v: { referrerId: string; at: string }) =>
    db
      .selectFrom('referrals as r')
      .innerJoin('participants as p', 'p.id', 'r.referee_id')
      .select(['r.id as referral_id', 'p.email', 'r.signed_up_at'])
      .where('r.referrer_id', '=', v.referrerId)
      .where('r.signed_up_at', direction === 'before' ? '<=' : '>', v.at)
      .where('p.email', 'is not', null)
      .orderBy('r.signed_up_at', direction === 'before' ? 'desc' : 'asc')
      .limit(SERIES_READ),
  );
const selectRefereesBefore = selectRefereesAround('before');
const selectRefereesAfter = selectRefereesAround('after');

/** The referrer's referees whose sign-ups are nearest `at` in event time, on either side, nearest first. */
export async function refereesNear(db: Executor, referrerId: string, at: Date): Promise<RefereeEmail[]> {
  const v = { referrerId, at: at.toISOString() };
  const rows = [...(await selectRefereesBefore(db, v)).rows, ...(await selectRefereesAfter(db, v)).rows];
  const distance = (row: { signed_up_at: string }) => Math.abs(Date.parse(row.signed_up_at) - at.getTime());
  return rows
    .map((row) => ({ ...row, email: row.email as string }))
    .sort((a, b) => distance(a) - distance(b))
    .slice(0, SERIES_READ);
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
