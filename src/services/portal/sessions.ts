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
