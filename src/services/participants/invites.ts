import { normalizeEmail } from '../../domain/identity.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Executor, InTransaction, Page, PageRequest } from '../../store/executor.ts';
import {
  findInvite,
  type InviteRow,
  insertInviteIfAbsent,
  listInviteRows,
} from '../../store/repositories/invites.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import { findParticipant } from '../../store/repositories/participants.ts';
import { findTouchByClick } from '../../store/repositories/touches.ts';
import { emailHash, type Hasher } from '../identity/identity-keys.ts';
import { outboxMessage } from '../outbox-message.ts';

export type { InviteRow };

export interface InviteInput {
  email: string;
  /** The referrer who invites: a participant id… */
  participant_id?: string | undefined;
  /** …or the click of a visitor who left their email on the landing page (a lead). */
  click_id?: string | undefined;
}

interface Inviter {
  programId: string;
  referrerId: string;
  referrerEmail: string | null;
  active: boolean;
}

async function findInviter(db: InTransaction, input: InviteInput): Promise<Inviter> {
  if ((input.participant_id === undefined) === (input.click_id === undefined)) {
    const both = input.participant_id !== undefined;
    throw new AppError(
      both ? 'invalid_value' : 'missing_field',
      `An invite names either participant_id or click_id, not ${both ? 'both' : 'neither'}.`,
      'participant_id',
    );
  }
  if (input.participant_id !== undefined) {
    const referrer = await findParticipant(db, input.participant_id);
    if (!referrer) throw notFound('participant', input.participant_id, 'participant_id');
    return {
      programId: referrer.program_id,
      referrerId: referrer.id,
      referrerEmail: referrer.email,
      active: referrer.status === 'active',
    };
  }
  const click = await findTouchByClick(db, input.click_id as string);
  if (!click) throw notFound('click', input.click_id as string, 'click_id');
  return {
    programId: click.program_id,
    referrerId: click.referrer_id,
    referrerEmail: click.referrer_email,
    active: click.referrer_status === 'active' && click.program_status === 'active',
  };
}

/**
 * Records that a referrer invited someone by email, or that a visitor who came through a click
 * left their email. Their later sign-up with that email (or an alias of it), on any device, is
 * attributed. Idempotent by (referrer, normalised email): inviting again returns the first invite.
 */
export async function createInvite(
  db: InTransaction,
  input: InviteInput,
  now: Date,
  hash: Hasher,
): Promise<{ invite: InviteRow; created: boolean }> {
  const email = normalizeEmail(input.email);
  if (!email) throw new AppError('invalid_email', `'${input.email}' is not a valid email address.`, 'email');
  const inviter = await findInviter(db, input);
  if (!inviter.active) {
    throw new AppError(
      'participant_disabled',
      'The referrer or their program is not active.',
      'participant_id',
    );
  }
  if (inviter.referrerEmail && normalizeEmail(inviter.referrerEmail)?.address === email.address) {
    throw new AppError('self_referral', 'A referrer cannot invite their own email address.', 'email');
  }
  const row: InviteRow = {
    id: newId('inv', now.getTime()),
    program_id: inviter.programId,
    referrer_id: inviter.referrerId,
    email: input.email.trim(),
    email_hash: emailHash(hash, email),
    click_id: input.click_id ?? null,
    created_at: now.toISOString(),
  };
  if (!(await insertInviteIfAbsent(db, row))) {
    const first = await findInvite(db, row);
    if (!first) throw new Error('invite insert conflicted but no row was found');
    return { invite: first, created: false };
  }
  const payload = {
    invite_id: row.id,
    program_id: row.program_id,
    referrer_id: row.referrer_id,
    email: row.email,
  };
  await enqueue(db, [outboxMessage('invite.created', payload, now)]);
  return { invite: row, created: true };
}

export function listInvites(
  db: Executor,
  filter: { referrerId?: string | undefined; programId?: string | undefined },
  page: PageRequest,
): Promise<Page<InviteRow>> {
  return listInviteRows(db, filter, page);
}
