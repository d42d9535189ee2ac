import { randomBytes } from 'node:crypto';
import { type Balance, balancesFrom, type InKindBalance, inKindBalancesFrom } from '../../domain/ledger.ts';
import { checkVanityCode, codeFromBytes, codeKey } from '../../domain/referral-codes.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { canonicalTag } from '../../lib/i18n/locales.ts';
import { newId } from '../../lib/ids.ts';
import type { Executor, InTransaction } from '../../store/executor.ts';
import { sumParticipantAccounts } from '../../store/repositories/ledger.ts';
import { enqueue, type OutboxMessage } from '../../store/repositories/outbox.ts';
import {
  findCode,
  findParticipant,
  findParticipantByExternalId,
  insertCodeIfFree,
  insertParticipantIfAbsent,
  type ParticipantRow,
  updateParticipantRow,
} from '../../store/repositories/participants.ts';
import { observeParticipant } from '../identity/identities.ts';
import type { IdentityKey } from '../identity/identity-keys.ts';
import { outboxMessage } from '../outbox-message.ts';
import { getProgram } from '../programs/programs.ts';

export type { ParticipantRow };

export interface ParticipantInput {
  program_id: string;
  external_id: string;
  email?: string | null;
  name?: string | null;
  /** A group the business puts the participant in; rules may reward only some segments. */
  segment?: string | null;
  /** BCP 47: the language of their emails and portal. */
  locale?: string | null;
}

export interface ParticipantPatch {
  referral_code?: string;
  email?: string | null;
  name?: string | null;
  segment?: string | null;
  locale?: string | null;
  status?: ParticipantRow['status'];
}

const localeOf = (locale: string | null | undefined) =>
  locale === undefined || locale === null ? null : canonicalTag(locale, 'locale');

// With 31^8 possible codes a collision is rare; a few retries make it practically impossible.
const CODE_ATTEMPTS = 8;

const generateCode = () => codeFromBytes(randomBytes(8));

/** Claims the participant's proposed code, or fresh ones until one is free; returns the code held. */
async function claimCode(db: InTransaction, participant: ParticipantRow, at: string): Promise<string> {
  let code = participant.referral_code;
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++, code = generateCode()) {
    const claimed = await insertCodeIfFree(db, {
      code_key: codeKey(code),
      code,
      participant_id: participant.id,
      program_id: participant.program_id,
      created_at: at,
    });
    if (claimed) return code;
  }
  throw new Error('could not generate a free referral code');
}

/**
 * Enrols a participant, or returns the one already enrolled with the same external id: enrolment
 * is idempotent by (program, external_id).
 */
export async function enrollParticipant(
  db: InTransaction,
  input: ParticipantInput,
  now: Date,
  identities: readonly IdentityKey[] = [],
): Promise<{ participant: ParticipantRow; created: boolean }> {
  const program = await getProgram(db, input.program_id, 'program_id');
  const existing = await findParticipantByExternalId(db, program.id, input.external_id);
  if (existing) return { participant: existing, created: false };
  const enrolled = await createParticipant(db, input, now);
  // Remembered from the start, so a referrer later signing up as their own referee is recognised.
  await observeParticipant(db, enrolled.participant, identities, now);
  return enrolled;
}

/**
 * Creates a participant with a generated code; the program must exist. Its outbox message is
 * written now, or added to `outbox` for a caller that writes its messages together.
 */
export async function createParticipant(
  db: InTransaction,
  input: ParticipantInput,
  now: Date,
  outbox?: OutboxMessage[],
): Promise<{ participant: ParticipantRow; created: boolean }> {
  const at = now.toISOString();
  const id = newId('par');
  const row: ParticipantRow = {
    id,
    program_id: input.program_id,
    external_id: input.external_id,
    email: input.email?.trim() || null,
    name: input.name?.trim() || null,
    referral_code: generateCode(),
    status: 'active',
    created_at: at,
    updated_at: at,
    segment: input.segment ?? null,
    locale: localeOf(input.locale),
  };
  if (!(await insertParticipantIfAbsent(db, row))) {
    // A concurrent request enrolled the same external id first.
    const winner = await findParticipantByExternalId(db, input.program_id, input.external_id);
    if (winner) return { participant: winner, created: false };
    throw new Error('participant insert conflicted but no row was found');
  }
  const code = await claimCode(db, row, at);
  if (code !== row.referral_code) {
    row.referral_code = code;
    await updateParticipantRow(db, id, { referral_code: code });
  }
  const message = outboxMessage('participant.created', { participant_id: id }, now);
  if (outbox) outbox.push(message);
  else await enqueue(db, [message]);
  return { participant: row, created: true };
}

export async function getParticipant(db: Executor, id: string, param?: string): Promise<ParticipantRow> {
  const row = await findParticipant(db, id);
  if (!row) throw notFound('participant', id, param);
  return row;
}

/** Cash balances, and rewards in kind apart: they are delivered, never paid out. */
export async function participantBalances(
  db: Executor,
  participantId: string,
): Promise<{ cash: Balance[]; inKind: InKindBalance[] }> {
  const sums = await sumParticipantAccounts(db, [participantId]);
  return { cash: balancesFrom(sums), inKind: inKindBalancesFrom(sums) };
}

/**
 * A new vanity code becomes the participant's code; the old ones keep working so links already
 * shared are still attributed.
 */
export async function updateParticipant(
  db: InTransaction,
  id: string,
  patch: ParticipantPatch,
  now: Date,
  identities: readonly IdentityKey[] = [],
): Promise<ParticipantRow> {
  const current = await getParticipant(db, id);
  const at = now.toISOString();
  const changes: Partial<ParticipantRow> = { updated_at: at };
  if (patch.email !== undefined) changes.email = patch.email?.trim() || null;
  if (patch.name !== undefined) changes.name = patch.name?.trim() || null;
  if (patch.segment !== undefined) changes.segment = patch.segment;
  if (patch.locale !== undefined) changes.locale = localeOf(patch.locale);
  if (patch.status !== undefined) changes.status = patch.status;
  if (patch.referral_code !== undefined && patch.referral_code !== current.referral_code) {
    const check = checkVanityCode(patch.referral_code);
    if (!check.ok) throw new AppError('invalid_code', `referral_code ${check.reason}.`, 'referral_code');
    const claimed = await insertCodeIfFree(db, {
      code_key: codeKey(check.code),
      code: check.code,
      participant_id: id,
      program_id: current.program_id,
      created_at: at,
    });
    // Taking back one of the participant's own earlier codes is allowed.
    if (!claimed && (await findCode(db, codeKey(check.code)))?.participant_id !== id) {
      throw new AppError('code_taken', `referral_code '${check.code}' is already in use.`, 'referral_code');
    }
    changes.referral_code = check.code;
  }
  await updateParticipantRow(db, id, changes);
  if (identities.length > 0) await observeParticipant(db, current, identities, now);
  return { ...current, ...changes };
}
