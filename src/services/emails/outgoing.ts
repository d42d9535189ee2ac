import { EMAIL_GIVE_UP_AFTER, type EmailKind, emailRetryDelayMs, mayEmail } from '../../domain/emails.ts';
import type { InTransaction } from '../../store/executor.ts';
import { type EmailRow, leaseDueEmails, optOutsOf, updateEmail } from '../../store/repositories/emails.ts';
import { disabledAmong } from '../../store/repositories/participants.ts';

export type { EmailRow };

/**
 * Takes the emails due now for `leaseMs`, leaving out (as suppressed) those whose reader opted out
 * or was disabled since they were written: an opt-out stops the very next email.
 */
export async function takeDueEmails(
  db: InTransaction,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<EmailRow[]> {
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const leased = await leaseDueEmails(db, now.toISOString(), until, limit);
  if (leased.length === 0) return [];
  const readers = leased.map((email) => email.participant_id);
  const optOuts = await optOutsOf(db, readers);
  const disabled = await disabledAmong(db, readers);
  const due: EmailRow[] = [];
  for (const email of leased) {
    const refused = optOuts.get(email.participant_id) ?? new Set<string>();
    if (disabled.has(email.participant_id) || !mayEmail(email.kind as EmailKind, refused)) {
      await updateEmail(db, email.id, { status: 'suppressed' });
    } else due.push(email);
  }
  return due;
}

/** What the SMTP server said to one email. */
export type SendResult = { sent: true } | { sent: false; error: string; permanent: boolean };

/** Sent; or tried again later with a growing delay; or, refused for good or too often, failed. */
export async function recordSending(
  db: InTransaction,
  email: EmailRow,
  result: SendResult,
  now: Date,
): Promise<EmailRow['status']> {
  if (result.sent) {
    await updateEmail(db, email.id, { status: 'sent', sent_at: now.toISOString(), last_error: null });
    return 'sent';
  }
  if (result.permanent || email.attempts >= EMAIL_GIVE_UP_AFTER) {
    await updateEmail(db, email.id, { status: 'failed', last_error: result.error });
    return 'failed';
  }
  const next = new Date(now.getTime() + emailRetryDelayMs(email.attempts)).toISOString();
  await updateEmail(db, email.id, { next_attempt_at: next, last_error: result.error });
  return 'pending';
}
