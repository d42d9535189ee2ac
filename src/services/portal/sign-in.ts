import type { Static } from 'typebox';
import type { PortalSessionCreate } from '../../domain/inputs/portal.ts';
import { AppError } from '../../lib/errors.ts';
import type { InTransaction } from '../../store/executor.ts';
import { insertSession, insertSignIn, useSignIn } from '../../store/repositories/portal.ts';
import { getParticipant } from '../participants/participants.ts';
import { checkHttpUrl } from '../programs/programs.ts';
import { newPortalToken, portalTokenHash } from './portal-tokens.ts';

/** A sign-in link is opened at once by the browser it is sent to: a minute is plenty. */
export const SIGN_IN_TTL_MS = 60_000;
/** A portal session lasts a working day; the business's backend signs the referrer in again. */
export const SESSION_TTL_MS = 12 * 3_600_000;

/** As POST /v1/portal_sessions takes it, its locale made canonical at the edge. */
export type SignInRequest = Static<typeof PortalSessionCreate>;

/**
 * A one-time sign-in link into a participant's portal, asked for by the business's backend (the
 * referrer is signed in there). Each call makes a new link; one not opened within a minute is
 * worthless, so a retried request leaves nothing behind that matters.
 */
export async function createSignInLink(
  db: InTransaction,
  request: SignInRequest,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const participant = await getParticipant(db, request.participant_id, 'participant_id');
  if (participant.status !== 'active') {
    throw new AppError(
      'participant_disabled',
      'A disabled participant cannot sign in to the portal.',
      'participant_id',
    );
  }
  const returnUrl = request.return_url === undefined ? null : checkHttpUrl(request.return_url, 'return_url');
  const token = newPortalToken();
  const expiresAt = new Date(now.getTime() + SIGN_IN_TTL_MS);
  await insertSignIn(db, {
    token_hash: portalTokenHash(token),
    participant_id: participant.id,
    locale: request.locale ?? null,
    return_url: returnUrl,
    created_at: now.toISOString(),
    expires_at: expiresAt.toISOString(),
    used_at: null,
    channel: 'api',
  });
  return { token, expiresAt };
}

export interface OpenedSession {
  token: string;
  participantId: string;
  locale: string | null;
  expiresAt: Date;
}

/**
 * Opens a sign-in link: the first opening within its time gets a new session; a second opening,
 * a late one, a forged token or a link of the other channel gets null.
 */
export async function openSignInLink(
  db: InTransaction,
  token: string,
  now: Date,
  channel: 'api' | 'email' = 'api',
): Promise<OpenedSession | null> {
  const link = await useSignIn(db, portalTokenHash(token), now.toISOString(), channel);
  if (!link) return null;
  const participant = await getParticipant(db, link.participant_id);
  if (participant.status !== 'active') return null;
  const session = newPortalToken();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await insertSession(db, {
    token_hash: portalTokenHash(session),
    participant_id: link.participant_id,
    locale: link.locale,
    return_url: link.return_url,
    created_at: now.toISOString(),
    expires_at: expiresAt.toISOString(),
    ended_at: null,
  });
  return { token: session, participantId: link.participant_id, locale: link.locale, expiresAt };
}
