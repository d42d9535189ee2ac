import type { Executor } from '../executor.ts';
import { prepared } from '../prepared.ts';
import type { ParticipantsTable, ReferralCodesTable } from '../schema.ts';

export type ParticipantRow = ParticipantsTable;
export type ReferralCodeRow = ReferralCodesTable;

/** Inserts unless (program_id, external_id) exists; true when this call created it. */
export async function insertParticipantIfAbsent(db: Executor, row: ParticipantRow): Promise<boolean> {
  return (await insertParticipant(db, row)).rows.length > 0;
}

const insertParticipant = prepared((db, row: ParticipantRow) =>
  db
    .insertInto('participants')
    .values(row)
    .onConflict((oc) => oc.columns(['program_id', 'external_id']).doNothing())
    .returning('id'),
);

export async function findParticipant(db: Executor, id: string): Promise<ParticipantRow | undefined> {
  return db.selectFrom('participants').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findParticipantByExternalId(
  db: Executor,
  programId: string,
  externalId: string,
): Promise<ParticipantRow | undefined> {
  return (await selectByExternalId(db, { programId, externalId })).rows[0];
}

const selectByExternalId = prepared((db, v: { programId: string; externalId: string }) =>
  db
    .selectFrom('participants')
    .selectAll()
    .where('program_id', '=', v.programId)
    .where('external_id', '=', v.externalId),
);

export async function updateParticipantRow(
  db: Executor,
  id: string,
  changes: Partial<ParticipantRow>,
): Promise<void> {
  await db.updateTable('participants').set(changes).where('id', '=', id).execute();
}

/** Claims a code; false when another participant holds it already (in any letter case). */
export async function insertCodeIfFree(db: Executor, row: ReferralCodeRow): Promise<boolean> {
  return (await insertCode(db, row)).rows.length > 0;
}

const insertCode = prepared((db, row: ReferralCodeRow) =>
  db
    .insertInto('referral_codes')
    .values(row)
    .onConflict((oc) => oc.column('code_key').doNothing())
    .returning('code_key'),
);

export async function findCode(db: Executor, codeKey: string): Promise<ReferralCodeRow | undefined> {
  return db.selectFrom('referral_codes').selectAll().where('code_key', '=', codeKey).executeTakeFirst();
}

/** A code with its participant and program, joined: what the redirect and the share page read. */
const byCode = (db: Executor, codeKey: string) =>
  db
    .selectFrom('referral_codes as c')
    .innerJoin('participants as p', 'p.id', 'c.participant_id')
    .innerJoin('programs as g', 'g.id', 'c.program_id')
    .where('c.code_key', '=', codeKey);

/** What the redirect needs for a code, in one query. */
export async function findCodeTarget(db: Executor, codeKey: string) {
  return byCode(db, codeKey)
    .select([
      'c.code',
      'c.participant_id',
      'c.program_id',
      'p.status as participant_status',
      'g.status as program_status',
      'g.landing_url',
      'g.attribution_window_days',
    ])
    .executeTakeFirst();
}

/** What a friend's share page shows for a code: who invited them, to what, and the rules. */
export async function findShareTarget(db: Executor, codeKey: string) {
  return byCode(db, codeKey)
    .select([
      'c.code',
      'p.name as referrer_name',
      'p.status as participant_status',
      'g.name as program_name',
      'g.status as program_status',
      'g.rewards',
      'g.attribution_window_days',
    ])
    .executeTakeFirst();
}

/** The customer's participant records, one per program they are enrolled in. */
export async function findParticipantsByExternalId(db: Executor, externalId: string) {
  return db
    .selectFrom('participants')
    .select(['id', 'program_id'])
    .where('external_id', '=', externalId)
    .execute();
}

/** Which of these participants are disabled. */
export async function disabledAmong(db: Executor, participantIds: readonly string[]): Promise<Set<string>> {
  const disabled = new Set<string>();
  for (let i = 0; i < participantIds.length; i += 500) {
    const rows = await db
      .selectFrom('participants')
      .select('id')
      .where('id', 'in', participantIds.slice(i, i + 500))
      .where('status', '=', 'disabled')
      .execute();
    for (const row of rows) disabled.add(row.id);
  }
  return disabled;
}

/** The ids of a program's active participants with an address, to tell them all of a change. */
export async function listActiveParticipantsOfProgram(db: Executor, programId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('participants')
    .select('id')
    .where('program_id', '=', programId)
    .where('status', '=', 'active')
    .where('email', 'is not', null)
    .execute();
  return rows.map((row) => row.id);
}
