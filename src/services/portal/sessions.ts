import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Executor } from '../../store/executor.ts';
import { endSessions, findLiveSession, type PortalSessionRow } from '../../store/repositories/portal.ts';
import { portalTokenHash } from './portal-tokens.ts';

export type PortalSession = PortalSessionRow;

/** The live session a cookie holds, or null (unknown, ended or expired). */
export function findPortalSession(
  db: Executor,
  token: string,
  now: Date,
): Promise<PortalSession | undefined> {
  return findLiveSession(db, portalTokenHash(token), now.toISOString());
}

/** Signs out this session, or with `everywhere` every session of the participant. */
export async function signOut(
  db: Executor,
  session: PortalSession,
  now: Date,
  everywhere: boolean,
): Promise<void> {
  await endSessions(
    db,
    session.participant_id,
    now.toISOString(),
    everywhere ? undefined : session.token_hash,
  );
}

/**
 * The token a portal page's forms and beacons carry: tied to the session by the instance secret,
 * so another site's form, which cannot read the page, cannot send it.
 */
export function csrfTokenOf(session: PortalSession, secret: string): string {
  return createHmac('sha256', secret).update(`portal csrf\0${session.token_hash}`).digest('base64url');
}

export function csrfMatches(session: PortalSession, secret: string, sent: string): boolean {
  const expected = Buffer.from(csrfTokenOf(session, secret));
  const given = Buffer.from(sent);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
