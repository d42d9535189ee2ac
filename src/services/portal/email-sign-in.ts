import { normalizeEmail } from '../../domain/identity.ts';
import type { Executor, InTransaction } from '../../store/executor.ts';
import { findActiveParticipantsByEmail, insertEmails } from '../../store/repositories/emails.ts';
import { insertSignIn, signInUsable } from '../../store/repositories/portal.ts';
import { findProgram } from '../../store/repositories/programs.ts';
import { emailFor, type Mailing } from '../emails/queue-emails.ts';
import { newPortalToken, portalTokenHash } from './portal-tokens.ts';

/** A magic link waits in an inbox: a quarter of an hour, then it is worthless. */
export const EMAIL_SIGN_IN_TTL_MS = 15 * 60_000;

export interface EmailSignInRequest {
  email: string;
  /** The program whose portal was asked for; without it, every program the address is in. */
  programId?: string | undefined;
  /** The page's language, for a participant who has none of their own. */
  locale: string;
}

/**
 * The address as typed, trimmed, or null when it cannot be one. It is matched to participants'
 * addresses as they are, whatever the case; the link goes to the participant's own address.
 */
export const emailAddressOf = (typed: string): string | null => (normalizeEmail(typed) ? typed.trim() : null);

/**
 * Writes one sign-in email per active participant with the address (at most a few programs), each
 * with its own single-use link. An address nobody has gets nothing, and the caller answers the same
 * either way. How many emails were written, for the tests; never for the page.
 */
export async function requestEmailSignIn(
  db: InTransaction,
  request: EmailSignInRequest,
  mailing: Mailing,
  now: Date,
): Promise<number> {
  const participants = await findActiveParticipantsByEmail(db, request.email, request.programId);
  let written = 0;
  for (const participant of participants) {
    const token = newPortalToken();
    const tokenHash = portalTokenHash(token);
    await insertSignIn(db, {
      token_hash: tokenHash,
      participant_id: participant.id,
      locale: participant.locale,
      return_url: null,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + EMAIL_SIGN_IN_TTL_MS).toISOString(),
      used_at: null,
      channel: 'email',
    });
    const url = `${mailing.publicUrl}/p/sign-in/email/${token}`;
    const minutes = EMAIL_SIGN_IN_TTL_MS / 60_000;
    const facts = () => ({ kind: 'magic_link' as const, url, minutes });
    const program = await findProgram(db, participant.program_id);
    if (!program) continue;
    const email = emailFor(participant, program, facts, mailing, now, `sign_in:${tokenHash}`, request.locale);
    if (email) {
      await insertEmails(db, [email]);
      written++;
    }
  }
  return written;
}

/** Whether an emailed link would open now: its page asks for a click before using it. */
export function emailSignInUsable(db: Executor, token: string, now: Date): Promise<boolean> {
  return signInUsable(db, portalTokenHash(token), now.toISOString());
}
