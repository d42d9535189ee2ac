import { sql } from 'kysely';
import type { Executor } from '../executor.ts';
import { isPostgres } from '../locks.ts';
import type { EmailOptOutsTable, EmailsTable } from '../schema.ts';

export type EmailRow = EmailsTable;
export type EmailOptOutRow = EmailOptOutsTable;

/** New emails; a cause already written (a message queued twice) adds nothing. */
export async function insertEmails(db: Executor, rows: readonly EmailRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('emails')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.column('cause').doNothing())
      .execute();
  }
}

/**
 * Takes up to `limit` due emails until `leaseUntil` and counts the attempt. On PostgreSQL
 * concurrent workers skip each other's rows; an email whose worker died falls due at its lease's end.
 */
export async function leaseDueEmails(
  db: Executor,
  now: string,
  leaseUntil: string,
  limit: number,
): Promise<EmailRow[]> {
  let query = db
    .selectFrom('emails')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(limit);
  if (isPostgres(db)) query = query.forUpdate().skipLocked();
  const ids = (await query.execute()).map((row) => row.id);
  if (ids.length === 0) return [];
  return db
    .updateTable('emails')
    .set({ next_attempt_at: leaseUntil, attempts: sql<number>`attempts + 1` })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .returningAll()
    .execute();
}

export async function updateEmail(
  db: Executor,
  id: string,
  changes: Partial<Pick<EmailRow, 'status' | 'next_attempt_at' | 'last_error' | 'sent_at'>>,
): Promise<void> {
  await db.updateTable('emails').set(changes).where('id', '=', id).execute();
}

/** The categories each of these participants opted out of. */
export async function optOutsOf(
  db: Executor,
  participantIds: readonly string[],
): Promise<Map<string, Set<string>>> {
  const byParticipant = new Map<string, Set<string>>();
  if (participantIds.length === 0) return byParticipant;
  const rows = await db
    .selectFrom('email_opt_outs')
    .select(['participant_id', 'category'])
    .where('participant_id', 'in', [...new Set(participantIds)])
    .execute();
  for (const row of rows) {
    const set = byParticipant.get(row.participant_id) ?? new Set<string>();
    set.add(row.category);
    byParticipant.set(row.participant_id, set);
  }
  return byParticipant;
}

/** Replaces a participant's opt-outs with `categories`. */
export async function replaceOptOuts(
  db: Executor,
  participantId: string,
  categories: readonly string[],
  now: string,
): Promise<void> {
  await db.deleteFrom('email_opt_outs').where('participant_id', '=', participantId).execute();
  if (categories.length === 0) return;
  await db
    .insertInto('email_opt_outs')
    .values(categories.map((category) => ({ participant_id: participantId, category, created_at: now })))
    .execute();
}

/** Active participants with this address (any case), optionally in one program. */
export async function findActiveParticipantsByEmail(db: Executor, address: string, programId?: string) {
  let query = db
    .selectFrom('participants')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', address.toLowerCase())
    .where('status', '=', 'active')
    .orderBy('created_at')
    .limit(10);
  if (programId !== undefined) query = query.where('program_id', '=', programId);
  return query.execute();
}
