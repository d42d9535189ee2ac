import type { Executor } from '../executor.ts';
import type { PortalSessionsTable, PortalSignInsTable, SharesTable } from '../schema.ts';

export type PortalSignInRow = PortalSignInsTable;
export type PortalSessionRow = PortalSessionsTable;
export type ShareRow = SharesTable;

export async function insertSignIn(db: Executor, row: PortalSignInRow): Promise<void> {
  await db.insertInto('portal_sign_ins').values(row).execute();
}

/**
 * Uses a sign-in link, once: only the first of any number of concurrent openings gets the row
 * back, and only before it expires.
 */
export async function useSignIn(
  db: Executor,
  tokenHash: string,
  now: string,
  channel: PortalSignInRow['channel'],
) {
  return db
    .updateTable('portal_sign_ins')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('channel', '=', channel)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['participant_id', 'locale', 'return_url'])
    .executeTakeFirst();
}

/** Whether an email's sign-in link would still open (unused, unexpired), without using it. */
export async function signInUsable(db: Executor, tokenHash: string, now: string): Promise<boolean> {
  const row = await db
    .selectFrom('portal_sign_ins')
    .select('token_hash')
    .where('token_hash', '=', tokenHash)
    .where('channel', '=', 'email')
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertSession(db: Executor, row: PortalSessionRow): Promise<void> {
  await db.insertInto('portal_sessions').values(row).execute();
}

/** A session that still lasts, of a participant who is still active (disabling one ends its sessions). */
export async function findLiveSession(db: Executor, tokenHash: string, now: string) {
  return db
    .selectFrom('portal_sessions as s')
    .innerJoin('participants as p', 'p.id', 's.participant_id')
    .selectAll('s')
    .where('s.token_hash', '=', tokenHash)
    .where('s.ended_at', 'is', null)
    .where('s.expires_at', '>', now)
    .where('p.status', '=', 'active')
    .executeTakeFirst();
}

/** Ends one session, or with `everywhere` every live session of its participant. */
export async function endSessions(db: Executor, participantId: string, now: string, tokenHash?: string) {
  let query = db
    .updateTable('portal_sessions')
    .set({ ended_at: now })
    .where('participant_id', '=', participantId)
    .where('ended_at', 'is', null);
  if (tokenHash !== undefined) query = query.where('token_hash', '=', tokenHash);
  await query.execute();
}

export async function insertShare(db: Executor, row: ShareRow): Promise<void> {
  await db.insertInto('shares').values(row).execute();
}

/** A referrer's referrals, newest first, with what the portal shows of each friend. */
export async function listReferralsOfReferrer(db: Executor, referrerId: string, limit: number) {
  return db
    .selectFrom('referrals as r')
    .innerJoin('participants as f', 'f.id', 'r.referee_id')
    .select([
      'r.id',
      'r.status',
      'r.rejection_reason',
      'r.signed_up_at',
      'r.qualified_at',
      'f.email as friend_email',
    ])
    .where('r.referrer_id', '=', referrerId)
    .orderBy('r.signed_up_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(limit)
    .execute();
}

/** A participant's rewards, newest first, with the state of the payout run that holds each. */
export async function listRewardsOfParticipant(db: Executor, participantId: string, limit: number) {
  return db
    .selectFrom('rewards as w')
    .leftJoin('payouts as p', 'p.id', 'w.payout_id')
    .select([
      'w.id',
      'w.referral_id',
      'w.amount',
      'w.reversed_amount',
      'w.currency',
      'w.status',
      'w.available_at',
      'w.code',
      'p.status as payout_status',
    ])
    .where('w.participant_id', '=', participantId)
    .orderBy('w.created_at', 'desc')
    .orderBy('w.id', 'desc')
    .limit(limit)
    .execute();
}
